import type { Decision } from '@chaperone/contracts';
import { SELF_REVIEW_RULE } from './answer-review';

/**
 * The decision on a self review request itself: allowed for every (registered) agent, as
 * Kubernetes' system:basic-user allows every user, whatever the rules say. It reveals only what
 * the agent may do, and it never reaches the cluster.
 */
export function selfReviewDecision(policyVersion: string): Decision {
  return {
    effect: 'allow',
    rule: SELF_REVIEW_RULE,
    policyVersion,
    reason: 'every agent may ask what it may do (kubectl auth can-i); chaperone answers from its policy',
    matchedRules: [SELF_REVIEW_RULE],
    mask: false,
    unmasked: true,
    maskProfile: 'default',
    record: 'metadata',
  };
}
