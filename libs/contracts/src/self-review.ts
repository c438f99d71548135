import { z } from 'zod';
import type { RequestInfo } from './request-info';

/**
 * `kubectl auth can-i` asks the API server with a SelfSubjectAccessReview (one question) or a
 * SelfSubjectRulesReview (`--list`: what may I do in this namespace). Through Chaperone the API
 * server's answer would describe the gateway's impersonated RBAC, not what Chaperone lets the agent
 * do, so Chaperone answers both itself, from its policy and the agent's registered scope, and never
 * forwards them. The ingress reads the review's spec; the policy service answers it (the `review`
 * fields of EvaluationRequest and EvaluationReply).
 */
export const SELF_REVIEW_GROUP = 'authorization.k8s.io';
export const SelfReviewKinds = Object.freeze({
  access: { resource: 'selfsubjectaccessreviews', kind: 'SelfSubjectAccessReview' },
  rules: { resource: 'selfsubjectrulesreviews', kind: 'SelfSubjectRulesReview' },
} as const);
export type SelfReviewKind = keyof typeof SelfReviewKinds;

/**
 * A SelfSubjectRulesReview of this namespace asks what the agent may do in any namespace: every
 * rule whatever namespaces it names, narrowed to the registered scope. "*" is no namespace's name
 * (names are DNS labels), so no real namespace is shadowed; kubectl never sends it. The MCP service
 * asks it to leave out the tools an agent can never use.
 */
export const ANY_NAMESPACE = '*';

/** Which self review a request creates, or undefined when it is not one. */
export function selfReviewKind(info: RequestInfo): SelfReviewKind | undefined {
  if (!info.isResourceRequest || info.verb !== 'create' || info.apiGroup !== SELF_REVIEW_GROUP || info.subresource !== '' || info.name !== '') return undefined;
  if (info.resource === SelfReviewKinds.access.resource) return 'access';
  if (info.resource === SelfReviewKinds.rules.resource) return 'rules';
  return undefined;
}

const optionalString = z.string().max(1024).optional();

/** authorization.k8s.io/v1 ResourceAttributes (the fields can-i sets). */
export const ReviewResourceAttributesSchema = z.object({
  namespace: optionalString,
  verb: optionalString,
  group: optionalString,
  version: optionalString,
  resource: optionalString,
  subresource: optionalString,
  name: optionalString,
});

export const ReviewNonResourceAttributesSchema = z.object({ path: optionalString, verb: optionalString });

/** What the agent asked: the spec of its review, as the ingress read it from the request body. */
export const SelfReviewSpecSchema = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('access'),
    resourceAttributes: ReviewResourceAttributesSchema.optional(),
    nonResourceAttributes: ReviewNonResourceAttributesSchema.optional(),
  }),
  z.object({ kind: z.literal('rules'), namespace: z.string().max(253) }),
]);
export type SelfReviewSpec = z.infer<typeof SelfReviewSpecSchema>;

/** SubjectAccessReviewStatus. `denied` is true only when a rule explicitly denies (not by default). */
export const AccessReviewStatusSchema = z.object({
  allowed: z.boolean(),
  denied: z.boolean().optional(),
  reason: z.string().optional(),
  evaluationError: z.string().optional(),
});

export const ResourceRuleSchema = z.object({
  verbs: z.array(z.string()),
  apiGroups: z.array(z.string()).optional(),
  resources: z.array(z.string()).optional(),
  resourceNames: z.array(z.string()).optional(),
});
export const NonResourceRuleSchema = z.object({ verbs: z.array(z.string()), nonResourceURLs: z.array(z.string()).optional() });

/** SubjectRulesReviewStatus. */
export const RulesReviewStatusSchema = z.object({
  resourceRules: z.array(ResourceRuleSchema),
  nonResourceRules: z.array(NonResourceRuleSchema),
  incomplete: z.boolean(),
  evaluationError: z.string().optional(),
});

/** The policy's answer, placed by the ingress in the review object's `status`. */
export const SelfReviewAnswerSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('access'), status: AccessReviewStatusSchema }),
  z.object({ kind: z.literal('rules'), status: RulesReviewStatusSchema }),
]);
export type SelfReviewAnswer = z.infer<typeof SelfReviewAnswerSchema>;
export type AccessReviewStatus = z.infer<typeof AccessReviewStatusSchema>;
export type RulesReviewStatus = z.infer<typeof RulesReviewStatusSchema>;
export type ResourceRule = z.infer<typeof ResourceRuleSchema>;
export type NonResourceRule = z.infer<typeof NonResourceRuleSchema>;
