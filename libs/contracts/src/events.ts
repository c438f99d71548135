import { z } from 'zod';
import { IdentitySchema } from './identity';
import { RequestInfoSchema } from './request-info';
import { DecisionSchema } from './decision';
import { BodyDigestSchema, RecordedBodySchema } from './body-digest';
import { ExecSessionPayloadSchema, PortForwardPayloadSchema } from './sessions';

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
  /** Null only for events about requests that never authenticated, and for RecordingsPruned (an operator's run). */
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
    /**
     * The ingress replica (its instance id) holding the request. It announces itself on the bus
     * (BusSubjects.ingressReplicaBucket); when it stops, the reconciler closes what it left open.
     */
    gateway: z.string().optional(),
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
  'answered', // answered by Chaperone itself, never sent to the cluster (kubectl auth can-i)
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
    /** `session`: an exec or attach recording (ExecSessionRecorded.recording). */
    body: z.enum(['request', 'response', 'session']),
    storedDigest: BodyDigestSchema.shape.digest,
    reason: z.string(),
  }),
});

/** Bodies one RecordingsPruned event lists at most (a prune of more writes several events). */
export const MAX_PRUNED_BODIES_PER_EVENT = 500;

/**
 * Recorded bodies whose retention passed, and what became of their blobs, written by
 * `chaperone recordings prune` to the `recordings` stream (EvidenceStreams.recordings) through the
 * hash chain. Readers honour it there only: the same type in any other stream explains nothing.
 * A pruned body is expected absent from the blob store; a blob missing without such an event
 * shows tampering. The envelope describes the run, not a request: `requestId` is the prune run's
 * id (shared by the events of one run), `sessionId` is empty and `identity` null.
 */
export const RecordingsPrunedSchema = z.object({
  ...envelope,
  type: z.literal('RecordingsPruned'),
  payload: z.object({
    /** The instant retention was computed for (the run's time, or the `--now` it was given). */
    asOf: z.string(),
    /** Each expired body: the event that named it and the payload field, and why it expired. */
    bodies: z
      .array(
        z.object({
          requestId: z.string(),
          sessionId: z.string(),
          /** The event that references the body (RequestCompleted, or any event carrying a RecordedBody). */
          eventId: z.string(),
          /** The payload field of that event holding the RecordedBody (`requestBody`, `responseBody`, …). */
          field: z.string(),
          storedDigest: BodyDigestSchema.shape.digest,
          /** When the referencing event was recorded: retention counts from here. */
          completedAt: z.string(),
          retentionDays: z.number().int().positive(),
        }),
      )
      .max(MAX_PRUNED_BODIES_PER_EVENT),
    /**
     * The blobs those bodies named: `deleted`; `absent` (already gone: a body never stored, or a
     * prune that stopped after deleting); `kept` because a recording still within its retention
     * has the same bytes (`keptFor` names its request).
     */
    blobs: z
      .array(
        z.object({
          digest: BodyDigestSchema.shape.digest,
          outcome: z.enum(['deleted', 'absent', 'kept']),
          keptFor: z.string().optional(),
        }),
      )
      .max(MAX_PRUNED_BODIES_PER_EVENT),
  }),
});

/** An exec or attach session ended; its masked asciicast recording is in the blob store. */
export const ExecSessionRecordedSchema = z.object({
  ...envelope,
  type: z.literal('ExecSessionRecorded'),
  payload: ExecSessionPayloadSchema,
});

/** A port-forward ended: metadata only (its bytes are the agent's own traffic, never stored). */
export const PortForwardRecordedSchema = z.object({
  ...envelope,
  type: z.literal('PortForwardRecorded'),
  payload: PortForwardPayloadSchema,
});

export const McpToolOutcomes = Object.freeze([
  'ok', // the tool did what was asked
  'pending', // a request needs a human approval; the agent got the approval id
  'refused', // the policy (or the registry) refused a request the tool made
  'error', // bad arguments, an unknown resource, a service that could not answer
] as const);

/**
 * One MCP tool call (the MCP service), stored in the session stream of the requests it made. The
 * envelope's `requestId` is the tool call's own id; `requestIds` are the Kubernetes requests it
 * caused, as the ingress named them in its answers (X-Chaperone-Request-Id), so the agent cannot
 * attach another caller's requests to its call. Arguments are masked: long or free-form values
 * (a manifest) are kept as their digest and size, never as text.
 */
export const McpToolCalledSchema = z.object({
  ...envelope,
  type: z.literal('McpToolCalled'),
  payload: z.object({
    tool: z.string().min(1).max(100),
    arguments: z.record(z.string(), z.unknown()),
    requestIds: z.array(z.string()).max(1000),
    outcome: z.enum(McpToolOutcomes),
    /** The first line of what the agent was told when the call did not succeed. */
    message: z.string().max(500).optional(),
    durationMs: z.number().nonnegative(),
  }),
});

export const ChaperoneEventSchema = z.discriminatedUnion('type', [
  McpToolCalledSchema,
  RequestInterceptedSchema,
  PolicyDecidedSchema,
  RequestCompletedSchema,
  RequestOutcomeUnknownSchema,
  AuthenticationFailedSchema,
  MaskingAppliedSchema,
  RecordingDeferredSchema,
  RecordingsPrunedSchema,
  ExecSessionRecordedSchema,
  PortForwardRecordedSchema,
]);

export type RequestIntercepted = z.infer<typeof RequestInterceptedSchema>;
export type PolicyDecided = z.infer<typeof PolicyDecidedSchema>;
export type RequestCompleted = z.infer<typeof RequestCompletedSchema>;
export type RequestOutcomeUnknown = z.infer<typeof RequestOutcomeUnknownSchema>;
export type RecordingDeferred = z.infer<typeof RecordingDeferredSchema>;
export type RecordingsPruned = z.infer<typeof RecordingsPrunedSchema>;
export type AuthenticationFailed = z.infer<typeof AuthenticationFailedSchema>;
export type MaskingApplied = z.infer<typeof MaskingAppliedSchema>;
export type ExecSessionRecorded = z.infer<typeof ExecSessionRecordedSchema>;
export type PortForwardRecorded = z.infer<typeof PortForwardRecordedSchema>;
export type McpToolCalled = z.infer<typeof McpToolCalledSchema>;
export type ChaperoneEvent = z.infer<typeof ChaperoneEventSchema>;
export type ChaperoneEventType = ChaperoneEvent['type'];
