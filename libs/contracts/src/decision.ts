import { z } from 'zod';

/**
 * Policy effects, ordered from least to most restrictive. When several rules match a request
 * the most restrictive effect wins, so adding a rule can only tighten what another allows.
 */
export const Effects = Object.freeze(['allow', 'mask', 'approve', 'deny'] as const);
export type Effect = (typeof Effects)[number];

export const DecisionSchema = z.object({
  effect: z.enum(Effects),
  /** The rule whose effect won; `default-deny` when no rule matched. */
  rule: z.string(),
  /** Content hash of the policy document that decided (sha256:…). */
  policyVersion: z.string(),
  reason: z.string(),
  /** Every rule that matched, in file order, for the evidence trail. */
  matchedRules: z.array(z.string()),
  /** True when any matching rule asks for masking, even if a stricter effect won. */
  mask: z.boolean(),
});
export type Decision = z.infer<typeof DecisionSchema>;

export const DEFAULT_DENY_RULE = 'default-deny';
