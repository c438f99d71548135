import { z } from 'zod';
import { IdentitySchema } from './identity';
import { BodyDigestSchema } from './body-digest';

/**
 * Just-in-time approval of one Kubernetes request: the rule's terms (ApprovalSpec) and the
 * lifecycle events of one approval. The approval service stores these events in the event store,
 * one stream per approval (`approvalStream(id)`), and is the only writer; everyone else reads them
 * (reports, audit) or asks the service over the bus (see approval-messages.ts).
 */

/**
 * `hold`: the gateway keeps the agent's connection open until the decision.
 * `ticket`: the agent is told to retry; the identical request runs once within the grant's lifetime.
 */
export const ApprovalModes = Object.freeze(['hold', 'ticket'] as const);
export type ApprovalMode = (typeof ApprovalModes)[number];

/** Why an approval stopped waiting without a decision. */
export const CancelReasons = Object.freeze(['client-gone', 'requester-withdrew'] as const);
export type CancelReason = (typeof CancelReasons)[number];

/** What the winning `approve` rule asks for (Decision.approval). */
export const ApprovalSpecSchema = z.object({
  /** The rule's default; the agent may override it with X-Chaperone-Approval-Mode only if `modeHeaderAllowed`. */
  mode: z.enum(ApprovalModes),
  modeHeaderAllowed: z.boolean(),
  /** How long a request may wait for a decision (default 300). */
  timeoutSeconds: z.number().positive(),
  /** An approver must be in one of these OIDC groups. */
  approverGroups: z.array(z.string().min(1)).min(1),
  /** Distinct approvers needed (N of M). */
  requiredApprovals: z.number().int().min(1),
  /** Refuse requests without X-Chaperone-Reason. */
  requireReason: z.boolean(),
  /** Ticket mode: how long a grant stays usable (default 600). */
  grantTtlSeconds: z.number().positive(),
});
export type ApprovalSpec = z.infer<typeof ApprovalSpecSchema>;

/** The agent that made the held request, as the ingress established it. */
export const RequesterSchema = IdentitySchema.pick({ subject: true, username: true, agent: true, groups: true });
export type Requester = z.infer<typeof RequesterSchema>;

/** A human deciding on an approval, as established from their verified token. */
export const ApproverSchema = IdentitySchema.pick({ subject: true, username: true, groups: true });
export type Approver = z.infer<typeof ApproverSchema>;

/** The Kubernetes request attributes an approver sees. */
export const ApprovalRequestAttributesSchema = z.object({
  verb: z.string(),
  /** "" for the core group. */
  apiGroup: z.string(),
  resource: z.string(),
  subresource: z.string(),
  namespace: z.string(),
  name: z.string(),
  path: z.string(),
});
export type ApprovalRequestAttributes = z.infer<typeof ApprovalRequestAttributesSchema>;

/** Masked text shown to approvers; capped (256 KiB) by the gateway, `truncated` says so. */
export const MaskedTextSchema = z.object({ masked: z.string(), truncated: z.boolean() });
export type MaskedText = z.infer<typeof MaskedTextSchema>;

/** The body the agent sent, as approvers see it (secrets masked by the gateway before it leaves). */
export const MaskedBodySchema = MaskedTextSchema.extend({
  digest: z.string().regex(/^sha256:[0-9a-f]{64}$/),
  size: z.number().int().nonnegative(),
  contentType: z.string(),
});
export type MaskedBody = z.infer<typeof MaskedBodySchema>;

const FINGERPRINT = z.string().regex(/^sha256:[0-9a-f]{64}$/);

/** Every lifecycle event carries its approval id and the ISO time at which it happened. */
const eventData = { approvalId: z.string().min(1), at: z.string() };

export const ApprovalRequestedSchema = z.object({
  type: z.literal('ApprovalRequested'),
  data: z.object({
    ...eventData,
    /** `sha256:<hex>` over the request's identity and content (see `requestFingerprint`). */
    requestFingerprint: FINGERPRINT,
    requester: RequesterSchema,
    request: ApprovalRequestAttributesSchema,
    /** The agent's justification; may be empty unless the rule requires one. */
    reason: z.string(),
    /** The policy rule that asked for approval. */
    rule: z.string(),
    /** An approver must belong to at least one of these groups. */
    approverGroups: z.array(z.string()),
    /** Distinct approvers needed (N of M); at least 1. */
    requiredApprovals: z.number().int(),
    mode: z.enum(ApprovalModes),
    /** After this time the approval can only expire. */
    expiresAt: z.string(),
    /** How long a grant stays usable once given. */
    grantTtlSeconds: z.number(),
    /** Joins to the evidence stream: the request that was held and its intercept/decision events. */
    requestId: z.string(),
    sessionId: z.string(),
    traceId: z.string(),
    interceptEventId: z.string(),
    decisionEventId: z.string().optional(),
    method: z.string(),
    query: z.string(),
    /** Digest of the body the agent sent. */
    requestBody: BodyDigestSchema.optional(),
    /** What approvers review (masked before it left the gateway); optional additions to the contract. */
    maskedBody: MaskedBodySchema.optional(),
    liveObject: MaskedTextSchema.optional(),
  }),
});

const vote = { approver: ApproverSchema, reason: z.string() };

/** One approver's vote that did not yet reach `requiredApprovals` (N-of-M only). */
export const ApprovalVoteRecordedSchema = z.object({
  type: z.literal('ApprovalVoteRecorded'),
  data: z.object({ ...eventData, ...vote }),
});

/** The vote that reached `requiredApprovals`; `approver` is the deciding (last) approver. */
export const ApprovalGrantedSchema = z.object({
  type: z.literal('ApprovalGranted'),
  data: z.object({ ...eventData, ...vote, grantExpiresAt: z.string() }),
});

export const ApprovalDeniedSchema = z.object({
  type: z.literal('ApprovalDenied'),
  data: z.object({ ...eventData, ...vote }),
});

export const ApprovalExpiredSchema = z.object({ type: z.literal('ApprovalExpired'), data: z.object(eventData) });

export const ApprovalCancelledSchema = z.object({
  type: z.literal('ApprovalCancelled'),
  data: z.object({ ...eventData, why: z.enum(CancelReasons) }),
});

/**
 * The gateway claimed the grant for this request, before forwarding it: the exactly-once guard.
 * The upstream result is the RequestCompleted event of the same requestId.
 */
export const ApprovalExecutedSchema = z.object({
  type: z.literal('ApprovalExecuted'),
  data: z.object({ ...eventData, requestId: z.string() }),
});

export const ApprovalLifecycleEventSchema = z.discriminatedUnion('type', [
  ApprovalRequestedSchema,
  ApprovalVoteRecordedSchema,
  ApprovalGrantedSchema,
  ApprovalDeniedSchema,
  ApprovalExpiredSchema,
  ApprovalCancelledSchema,
  ApprovalExecutedSchema,
]);

export type ApprovalRequested = z.infer<typeof ApprovalRequestedSchema>;
export type ApprovalVoteRecorded = z.infer<typeof ApprovalVoteRecordedSchema>;
export type ApprovalGranted = z.infer<typeof ApprovalGrantedSchema>;
export type ApprovalDenied = z.infer<typeof ApprovalDeniedSchema>;
export type ApprovalExpired = z.infer<typeof ApprovalExpiredSchema>;
export type ApprovalCancelled = z.infer<typeof ApprovalCancelledSchema>;
export type ApprovalExecuted = z.infer<typeof ApprovalExecutedSchema>;
export type ApprovalLifecycleEvent = z.infer<typeof ApprovalLifecycleEventSchema>;
export type ApprovalLifecycleEventType = ApprovalLifecycleEvent['type'];

/** The events that settle an approval; at most one of them ever appears in a stream. */
export const FinalApprovalEventTypes = Object.freeze([
  'ApprovalGranted',
  'ApprovalDenied',
  'ApprovalExpired',
  'ApprovalCancelled',
] as const satisfies readonly ApprovalLifecycleEventType[]);

/** Where an approval stands, as the service reports it (its aggregate state without `none`). */
export const ApprovalStatuses = Object.freeze(['pending', 'granted', 'denied', 'expired', 'cancelled', 'executed'] as const);
export type ApprovalStatus = (typeof ApprovalStatuses)[number];

/** The event-store stream of one approval. */
export const APPROVAL_STREAM_PREFIX = 'approval-';
export function approvalStream(approvalId: string): string {
  return `${APPROVAL_STREAM_PREFIX}${approvalId}`;
}
