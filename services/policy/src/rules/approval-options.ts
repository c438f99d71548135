import { z } from 'zod';
import type { ApprovalSpec } from '@chaperone/contracts';

/**
 * The `approval:` block of an `effect: approve` rule: how the request waits and who may decide.
 *
 *   approval:
 *     approverGroups: ["sre"]     # required, non-empty: an approver must be in one of these OIDC groups
 *     mode: hold                  # hold (default) | ticket
 *     allowModeHeader: false      # let the agent pick the mode with X-Chaperone-Approval-Mode
 *     timeout: 5m                 # how long the request may wait for a decision (default 5m)
 *     requiredApprovals: 1        # distinct approvers needed (default 1)
 *     requireReason: false        # refuse requests without an X-Chaperone-Reason header
 *     grantTtl: 10m               # ticket mode: how long a grant stays usable (default 10m)
 */

export const APPROVAL_DEFAULTS = Object.freeze({
  mode: 'hold' as const,
  allowModeHeader: false,
  timeoutSeconds: 300,
  requiredApprovals: 1,
  requireReason: false,
  grantTtlSeconds: 600,
});

/** A day: a held connection or an unused grant longer than that is surely a typo. */
const MAX_DURATION_SECONDS = 24 * 60 * 60;
const DURATION = /^(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?$/;

/** "90s", "5m", "1h30m" (Go-style, whole units) → seconds; undefined if it is not one. */
export function parseDuration(text: string): number | undefined {
  const m = DURATION.exec(text);
  if (!m || text === '') return undefined;
  const [, h, min, s] = m;
  return Number(h ?? 0) * 3600 + Number(min ?? 0) * 60 + Number(s ?? 0);
}

const duration = z
  .string({ error: 'expected a duration such as "90s", "5m" or "1h30m"' })
  .refine((t) => parseDuration(t) !== undefined, { error: 'expected a duration such as "90s", "5m" or "1h30m"', abort: true })
  .refine((t) => (parseDuration(t) ?? 0) >= 1 && (parseDuration(t) ?? 0) <= MAX_DURATION_SECONDS, {
    error: 'must be between 1s and 24h',
  });

export const ApprovalOptionsSchema = z.strictObject({
  mode: z.enum(['hold', 'ticket'], { error: 'expected one of hold|ticket' }).optional(),
  allowModeHeader: z.boolean().optional(),
  timeout: duration.optional(),
  approverGroups: z.array(z.string().min(1, { error: 'must not be empty' })).min(1, { error: 'must list at least one group' }),
  requiredApprovals: z.number().int({ error: 'expected a whole number' }).min(1, { error: 'must be at least 1' }).max(20, { error: 'must be at most 20' }).optional(),
  requireReason: z.boolean().optional(),
  grantTtl: duration.optional(),
});
export type ApprovalOptions = z.infer<typeof ApprovalOptionsSchema>;

/** An approve rule's options with every default applied: what the decision carries. */
export type CompiledApproval = ApprovalSpec;

export function compileApproval(options: ApprovalOptions): CompiledApproval {
  return {
    mode: options.mode ?? APPROVAL_DEFAULTS.mode,
    modeHeaderAllowed: options.allowModeHeader ?? APPROVAL_DEFAULTS.allowModeHeader,
    timeoutSeconds: options.timeout === undefined ? APPROVAL_DEFAULTS.timeoutSeconds : (parseDuration(options.timeout) ?? APPROVAL_DEFAULTS.timeoutSeconds),
    approverGroups: [...options.approverGroups],
    requiredApprovals: options.requiredApprovals ?? APPROVAL_DEFAULTS.requiredApprovals,
    requireReason: options.requireReason ?? APPROVAL_DEFAULTS.requireReason,
    grantTtlSeconds: options.grantTtl === undefined ? APPROVAL_DEFAULTS.grantTtlSeconds : (parseDuration(options.grantTtl) ?? APPROVAL_DEFAULTS.grantTtlSeconds),
  };
}

/**
 * Several approve rules matched: the terms combine most restrictively, so a rule can only add
 * scrutiny. The winner (first approve rule in file order) names the approver groups and the mode;
 * the others can raise the number of approvers, require a reason, shorten the wait and the grant,
 * and forbid the mode header (every matching rule must allow it).
 */
export function combineApprovals(winner: CompiledApproval, others: readonly CompiledApproval[]): CompiledApproval {
  return others.reduce<CompiledApproval>(
    (acc, o) => ({
      mode: acc.mode,
      modeHeaderAllowed: acc.modeHeaderAllowed && o.modeHeaderAllowed,
      timeoutSeconds: Math.min(acc.timeoutSeconds, o.timeoutSeconds),
      approverGroups: acc.approverGroups,
      requiredApprovals: Math.max(acc.requiredApprovals, o.requiredApprovals),
      requireReason: acc.requireReason || o.requireReason,
      grantTtlSeconds: Math.min(acc.grantTtlSeconds, o.grantTtlSeconds),
    }),
    { ...winner, approverGroups: [...winner.approverGroups] },
  );
}
