import { DEFAULT_DENY_RULE, DEFAULT_RECORDING, MaskProfiles, RecordLevels, type Decision, type Identity, type RecordingSpec, type RequestInfo } from '@chaperone/contracts';
import { candidateRules, type CompiledPolicy } from './compile-policy';
import { combineApprovals } from './approval-options';
import { ruleMatches, type CompiledRule } from './match-rule';

/**
 * How rules combine:
 *  - deny by default: when no rule matches, the effect is "deny" and the rule is DEFAULT_DENY_RULE;
 *  - when several rules match, the most restrictive effect wins (deny > approve > mask > allow,
 *    the order of `Effects`), so adding a rule can never loosen what another rule decides;
 *  - among equally restrictive matches the first in file order wins (its name and reason are
 *    reported);
 *  - `mask` is true when any matching rule has effect "mask", even if a stricter effect won, so
 *    an approved request is still masked;
 *  - `matchedRules` lists every matching rule in file order, for the evidence trail;
 *  - an `approve` decision carries the approval terms (`approval`): the winner's approver groups
 *    and mode, combined most restrictively with every other matching approve rule (see
 *    combineApprovals).
 */
export function evaluate(policy: CompiledPolicy, identity: Identity, request: RequestInfo): Decision {
  const matched: CompiledRule[] = [];
  for (const i of candidateRules(policy.index, request)) {
    const rule = policy.rules[i];
    if (rule && ruleMatches(rule, identity, request)) matched.push(rule);
  }
  return decisionFromMatches(policy.version, matched, request);
}

/** Combines the rules that matched (in file order) into a decision. */
export function decisionFromMatches(
  policyVersion: string,
  matched: readonly CompiledRule[],
  request: RequestInfo,
): Decision {
  let winner: CompiledRule | undefined;
  for (const rule of matched) {
    // Strictly greater: an equally restrictive later rule does not displace an earlier one.
    if (winner === undefined || rule.rank > winner.rank) winner = rule;
  }
  const matchedRules = matched.map((r) => r.name);
  const mask = matched.some((r) => r.effect === 'mask');
  // The most recording level of any matching rule: a rule can add evidence, never remove it.
  const record = RecordLevels[Math.max(0, ...matched.map((r) => RecordLevels.indexOf(r.record)))] ?? 'none';
  const recording = record === 'request' || record === 'request-and-response' ? combineRecording(matched) : undefined;
  // The most masking profile of the matching rules (a rule naming none counts as 'default'), so a
  // lighter profile applies only where every matching rule asks for it.
  const ranks = matched.map((r) => MaskProfiles.indexOf(r.maskProfile ?? 'default'));
  const maskProfile = ranks.length > 0 ? (MaskProfiles[Math.max(...ranks)] ?? 'default') : 'default';
  if (winner === undefined) {
    return {
      effect: 'deny',
      rule: DEFAULT_DENY_RULE,
      policyVersion,
      reason: `no rule allows ${describeRequest(request)}`,
      matchedRules,
      mask,
      unmasked: false,
      maskProfile,
      record,
      ...(recording ? { recording } : {}),
    };
  }
  return {
    effect: winner.effect,
    rule: winner.name,
    policyVersion,
    reason: winner.reason ?? generatedReason(winner),
    matchedRules,
    mask,
    // Raw responses only for an allowed request that a matching allow rule explicitly lets through
    // unmasked, and that no matching rule wants masked (a mask rule always wins over it). An approve
    // decision is an allow once a human agrees, so it keeps the raw pass of a matching allow rule
    // (how an approved exec, whose terminal bytes cannot be masked, runs).
    unmasked: (winner.effect === 'allow' || winner.effect === 'approve') && !mask && matched.some((r) => r.effect === 'allow' && r.unmasked),
    maskProfile,
    record,
    ...(recording ? { recording } : {}),
    ...(winner.effect === 'approve' && winner.approval
      ? { approval: combineApprovals(winner.approval, matched.flatMap((r) => (r !== winner && r.effect === 'approve' && r.approval ? [r.approval] : []))) }
      : {}),
  };
}

function generatedReason(rule: CompiledRule): string {
  switch (rule.effect) {
    case 'allow':
      return `allowed by rule ${rule.name}`;
    case 'mask':
      return `allowed with masking by rule ${rule.name}`;
    case 'approve':
      return `requires approval by rule ${rule.name}`;
    case 'deny':
      return `denied by rule ${rule.name}`;
  }
}

/** "get pods in namespace default", "list deployments.apps at cluster scope", "get /version". */
export function describeRequest(request: RequestInfo): string {
  if (!request.isResourceRequest) return `${request.verb} ${request.path}`;
  const group = request.apiGroup ? `.${request.apiGroup}` : '';
  const sub = request.subresource ? `/${request.subresource}` : '';
  const name = request.name ? ` "${request.name}"` : '';
  const where = request.namespace ? `in namespace ${request.namespace}` : 'at cluster scope';
  return `${request.verb} ${request.resource}${group}${sub}${name} ${where}`;
}

/**
 * The storage terms of the matching rules, combined so that adding a rule never keeps less: the
 * largest cap, the longest retention, and `refuse` over `defer`. Rules without a `recording:` block
 * contribute the defaults.
 */
function combineRecording(matched: readonly CompiledRule[]): RecordingSpec {
  const specs = matched.map((r) => r.recording ?? DEFAULT_RECORDING);
  return {
    maxBodyBytes: Math.max(...specs.map((s) => s.maxBodyBytes)),
    retentionDays: Math.max(...specs.map((s) => s.retentionDays)),
    onStoreFailure: specs.some((s) => s.onStoreFailure === 'refuse') ? 'refuse' : 'defer',
  };
}
