import { z } from 'zod';

/**
 * Agents as registered identities. An agent (the `agent` of an Identity) is registered with the
 * human who owns it, what it is for and what it may touch. The registry's source of truth is the
 * event-store stream `agent-registry` (EvidenceStreams.agentRegistry): registration, change and
 * removal are events there, each stored exactly once. The policy service applies the agents file
 * to it and refuses requests from agents that are not registered or act outside their scope.
 */

/** Agent names come from an OIDC claim: printable, bounded, no spaces. */
const AgentName = z
  .string()
  .min(1)
  .max(253)
  .regex(/^[A-Za-z0-9][A-Za-z0-9._@:-]*$/, 'letters, digits and . _ @ : - (starting with a letter or digit)');

/**
 * What a registered agent may touch (RBAC-shaped). `*` matches anything.
 * - namespaces: namespaced requests must name one of these; cluster-scoped and all-namespace
 *   requests need `*`.
 * - verbs: Kubernetes verbs as the API server derives them (get, list, watch, create, update,
 *   patch, delete, deletecollection).
 * - apiGroups (optional): as in RBAC, `""` is the core group, `apps`, `batch`… Without it any
 *   group matches, so that `deployments` also matches a custom resource of that name in another
 *   group: registrations written before the field existed keep their meaning, and new ones
 *   should name their groups.
 * - resources: `pods`, `pods/log`, `deployments/scale`… As in RBAC, `pods` does not cover
 *   `pods/exec`; `*` covers every resource and subresource, `pods/*` every subresource of pods.
 * Non-resource requests (discovery: /api, /apis, /version…) are not limited by the scope.
 */
export const AgentScopeSchema = z
  .object({
    namespaces: z.array(z.string().min(1)).min(1),
    verbs: z.array(z.string().min(1)).min(1),
    // "" is the core group, so entries may be empty; no default, so that an unchanged file
    // written before the field existed stores no AgentUpdated.
    apiGroups: z.array(z.string()).min(1).optional(),
    resources: z.array(z.string().min(1)).min(1),
  })
  .strict();
export type AgentScope = z.infer<typeof AgentScopeSchema>;

/**
 * How much of the gateway one agent may take, in the spirit of API Priority and Fairness: requests
 * per second (with a burst), requests in flight, and requests held for approval at once. Each is
 * optional; enforced by every ingress replica on its own (with N replicas an agent gets up to N
 * times the rate), and every refusal (429) is evidence.
 */
export const AgentLimitsSchema = z
  .object({
    requestsPerSecond: z.number().positive().max(100_000).optional(),
    /** Requests allowed at once above the steady rate; default: one second's worth. */
    burst: z.number().int().positive().max(1_000_000).optional(),
    maxInFlight: z.number().int().positive().max(100_000).optional(),
    maxHeldApprovals: z.number().int().positive().max(10_000).optional(),
  })
  .strict();
export type AgentLimits = z.infer<typeof AgentLimitsSchema>;

export const AgentRegistrationSchema = z
  .object({
    agent: AgentName,
    /** The accountable human (e-mail or directory name). */
    owner: z.string().min(1).max(253),
    purpose: z.string().min(1).max(1000),
    scope: AgentScopeSchema,
    // No default: an unchanged file written before the field existed stores no AgentUpdated.
    limits: AgentLimitsSchema.optional(),
  })
  .strict();
export type AgentRegistration = z.infer<typeof AgentRegistrationSchema>;

const registryEnvelope = {
  schemaVersion: z.literal(1),
  /** RFC 3339 time the change was applied. */
  time: z.string(),
  /** Where the change came from, e.g. `file:/etc/chaperone/agents.yaml sha256:…`. */
  source: z.string(),
};

export const AgentRegisteredSchema = z.object({
  ...registryEnvelope,
  type: z.literal('AgentRegistered'),
  ...AgentRegistrationSchema.shape,
});
export const AgentUpdatedSchema = z.object({
  ...registryEnvelope,
  type: z.literal('AgentUpdated'),
  ...AgentRegistrationSchema.shape,
});
export const AgentRemovedSchema = z.object({
  ...registryEnvelope,
  type: z.literal('AgentRemoved'),
  agent: AgentName,
  /** The owner on record when it was removed. */
  owner: z.string(),
});

export const AgentRegistryEventSchema = z.discriminatedUnion('type', [AgentRegisteredSchema, AgentUpdatedSchema, AgentRemovedSchema]);
export type AgentRegistered = z.infer<typeof AgentRegisteredSchema>;
export type AgentUpdated = z.infer<typeof AgentUpdatedSchema>;
export type AgentRemoved = z.infer<typeof AgentRemovedSchema>;
export type AgentRegistryEvent = z.infer<typeof AgentRegistryEventSchema>;
export type AgentRegistryEventType = AgentRegistryEvent['type'];

/** Decision rules the policy service names when it refuses a request because of the registry. */
export const AgentRegistryRules = Object.freeze({
  /** The agent is not registered (or was removed). */
  unregistered: 'unregistered-agent',
  /** The agent is registered but the request is outside its scope. */
  outOfScope: 'agent-out-of-scope',
  /** The registry could not be loaded from the event store yet: fail closed. */
  unavailable: 'agent-registry-unavailable',
});
