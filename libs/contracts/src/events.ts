import { z } from 'zod';
import { IdentitySchema } from './identity';
import { RequestInfoSchema } from './request-info';
import { DecisionSchema } from './decision';
import { BodyDigestSchema, RecordedBodySchema } from './body-digest';

/**
 * The evidence stream. Every event carries the same envelope (ids, time, identity, trace) and a
 * typed payload; `type` discriminates. Names are past tense: they record what happened.
 * Payloads stay small (no bodies): NATS's max payload is 1 MB and events are evidence, not data.
 */
const envelope = {
  /** Unique per event; consumers are idempotent by it (redelivery is normal on a bus). */
  eventId: z.string().min(1),
  schemaVersion: z.literal(1),
  /** RFC 3339 time at which the event was recorded by its producer. */
  time: z.string(),
  requestId: z.string(),
  sessionId: z.string(),
  traceId: z.string(),
  /** Null only for events about requests that never authenticated. */
  identity: IdentitySchema.nullable(),
};

export const RequestInterceptedSchema = z.object({
  ...envelope,
  type: z.literal('RequestIntercepted'),
  payload: z.object({
    method: z.string(),
    path: z.string(),
    /** Raw query string; Kubernetes puts selectors and options here, never credentials. */
    query: z.string(),
    request: RequestInfoSchema,
    userAgent: z.string(),
    sourceAddress: z.string(),
    /** True for exec/attach/portforward style connection upgrades. */
    upgrade: z.boolean(),
  }),
});

export const PolicyDecidedSchema = z.object({
  ...envelope,
  type: z.literal('PolicyDecided'),
  payload: z.object({
    interceptEventId: z.string(),
    decision: DecisionSchema,
  }),
});

export const RequestOutcomes = Object.freeze([
  'forwarded', // reached the cluster; status is the cluster's
  'refused', // stopped by policy
  'unavailable', // fail-closed: a service, the bus or the upstream could not do its part
  'aborted', // the client went away before the response ended
] as const);

export const RequestCompletedSchema = z.object({
  ...envelope,
  type: z.literal('RequestCompleted'),
  payload: z.object({
    outcome: z.enum(RequestOutcomes),
    status: z.number().int(),
    bytesOut: z.number().int().nonnegative(),
    durationMs: z.number().nonnegative(),
    /** Present when the deciding policy records bodies (metadata and up); `stored` when it was kept. */
    requestBody: RecordedBodySchema.optional(),
    /** The response as the agent received it (masked); `stored` when it was kept. */
    responseBody: RecordedBodySchema.optional(),
    /** The approval this request waited for or ran under (stream `approval-<id>` in the event store). */
    approvalId: z.string().optional(),
  }),
});

/** What a reconciler could establish about whether an incomplete request reached the cluster. */
export const ClusterReach = Object.freeze([
  'reached', // the cluster's own record (its audit log, by the Impersonate-Extra request id) shows it
  'not-reached', // the cluster's record was consulted and does not show it
  'unknown', // the cluster's record was not available
] as const);

/**
 * Closes the evidence of a request whose RequestCompleted will never come: it was decided (or its
 * approval claimed), so it may have reached the cluster, but the gateway that held it stopped
 * before recording how it ended. Written by a reconciler, never by the ingress, at most once per
 * request; a verifier counts it, like RequestCompleted, as the request's last event. It records
 * that the outcome is not known rather than leaving a silent gap.
 */
export const RequestOutcomeUnknownSchema = z.object({
  ...envelope,
  type: z.literal('RequestOutcomeUnknown'),
  payload: z.object({
    /** Why the reconciler closed it, for people (e.g. "no RequestCompleted 10 minutes after the decision"). */
    reason: z.string().min(1),
    /** The PolicyDecided event that let the request proceed, when stored. */
    decisionEventId: z.string().optional(),
    /** The approval whose grant this request claimed (ApprovalExecuted), if any. */
    approvalId: z.string().optional(),
    reachedCluster: z.enum(ClusterReach),
  }),
});

export const AuthenticationFailedSchema = z.object({
  ...envelope,
  type: z.literal('AuthenticationFailed'),
  payload: z.object({
    /** Why the token was refused; never contains the token. */
    reason: z.string(),
    method: z.string(),
    path: z.string(),
    sourceAddress: z.string(),
  }),
});

export const MaskingAppliedSchema = z.object({
  ...envelope,
  type: z.literal('MaskingApplied'),
  payload: z.object({
    mode: z.enum(['document', 'watch', 'lines']),
    profile: z.string(),
    /** Values masked in the response the agent received. */
    count: z.number().int().nonnegative(),
    /** Where (JSON paths, log lines) and which detectors fired; never the values. Capped. */
    paths: z.array(z.string()).max(200),
    detectors: z.record(z.string(), z.number().int().nonnegative()),
  }),
});

/**
 * A recorded body could not be stored when its request completed (the blob store was unreachable):
 * it is spooled by the ingress and stored later under the same content address. The chain holds the
 * digest either way; `chaperone verify` reports it missing until it arrives.
 */
export const RecordingDeferredSchema = z.object({
  ...envelope,
  type: z.literal('RecordingDeferred'),
  payload: z.object({
    body: z.enum(['request', 'response']),
    storedDigest: BodyDigestSchema.shape.digest,
    reason: z.string(),
  }),
});

export const ChaperoneEventSchema = z.discriminatedUnion('type', [
  RequestInterceptedSchema,
  PolicyDecidedSchema,
  RequestCompletedSchema,
  RequestOutcomeUnknownSchema,
  AuthenticationFailedSchema,
  MaskingAppliedSchema,
  RecordingDeferredSchema,
]);

export type RequestIntercepted = z.infer<typeof RequestInterceptedSchema>;
export type PolicyDecided = z.infer<typeof PolicyDecidedSchema>;
export type RequestCompleted = z.infer<typeof RequestCompletedSchema>;
export type RequestOutcomeUnknown = z.infer<typeof RequestOutcomeUnknownSchema>;
export type RecordingDeferred = z.infer<typeof RecordingDeferredSchema>;
export type AuthenticationFailed = z.infer<typeof AuthenticationFailedSchema>;
export type MaskingApplied = z.infer<typeof MaskingAppliedSchema>;
export type ChaperoneEvent = z.infer<typeof ChaperoneEventSchema>;
export type ChaperoneEventType = ChaperoneEvent['type'];
