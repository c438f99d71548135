import type { Identity } from '@chaperone/contracts';

/**
 * The events of one approval's stream (one stream per approval). Names are past tense: they record
 * what happened. Every event carries its `approvalId` and the ISO time `at` which it happened; the
 * shape `{ type, data }` is what the event-store port appends.
 */

/** The agent that made the held request, as the ingress established it. */
export type Requester = Pick<Identity, 'subject' | 'username' | 'agent' | 'groups'>;

/** A human deciding on an approval, as established from their verified token. */
export type Approver = Pick<Identity, 'subject' | 'username' | 'groups'>;

/** The Kubernetes request attributes an approver sees (never the body). */
export interface ApprovalRequestAttributes {
  verb: string;
  /** "" for the core group. */
  apiGroup: string;
  resource: string;
  subresource: string;
  namespace: string;
  name: string;
  path: string;
}

/**
 * `hold`: the gateway keeps the agent's connection open until the decision.
 * `ticket`: the agent is told to retry; the identical request runs once within the grant's lifetime.
 */
export const ApprovalModes = Object.freeze(['hold', 'ticket'] as const);
export type ApprovalMode = (typeof ApprovalModes)[number];

/** Why an approval stopped waiting without a decision. */
export const CancelReasons = Object.freeze(['client-gone', 'requester-withdrew'] as const);
export type CancelReason = (typeof CancelReasons)[number];

export interface ApprovalEvent<Type extends string, Data extends object> {
  type: Type;
  data: Data & { approvalId: string; at: string };
}

export type ApprovalRequested = ApprovalEvent<
  'ApprovalRequested',
  {
    /** `sha256:<hex>` over the request's identity and content (see `requestFingerprint`). */
    requestFingerprint: string;
    requester: Requester;
    request: ApprovalRequestAttributes;
    /** The agent's justification; may be empty unless the rule requires one. */
    reason: string;
    /** The policy rule that asked for approval. */
    rule: string;
    /** An approver must belong to at least one of these groups. */
    approverGroups: string[];
    /** Distinct approvers needed (N of M); at least 1. */
    requiredApprovals: number;
    mode: ApprovalMode;
    /** After this time the approval can only expire. */
    expiresAt: string;
    /** How long a grant stays usable once given. */
    grantTtlSeconds: number;
  }
>;

/** One approver's vote that did not yet reach `requiredApprovals` (N-of-M only). */
export type ApprovalVoteRecorded = ApprovalEvent<'ApprovalVoteRecorded', { approver: Approver; reason: string }>;

/** The vote that reached `requiredApprovals`; `approver` is the deciding (last) approver. */
export type ApprovalGranted = ApprovalEvent<
  'ApprovalGranted',
  { approver: Approver; reason: string; grantExpiresAt: string }
>;

export type ApprovalDenied = ApprovalEvent<'ApprovalDenied', { approver: Approver; reason: string }>;

export type ApprovalExpired = ApprovalEvent<'ApprovalExpired', object>;

export type ApprovalCancelled = ApprovalEvent<'ApprovalCancelled', { why: CancelReason }>;

/** The granted request ran against the cluster; `status` is the upstream HTTP status. */
export type ApprovalExecuted = ApprovalEvent<'ApprovalExecuted', { requestId: string; status: number }>;

export type ApprovalLifecycleEvent =
  | ApprovalRequested
  | ApprovalVoteRecorded
  | ApprovalGranted
  | ApprovalDenied
  | ApprovalExpired
  | ApprovalCancelled
  | ApprovalExecuted;

export type ApprovalLifecycleEventType = ApprovalLifecycleEvent['type'];

/** The events that settle an approval; at most one of them ever appears in a stream. */
export const FinalApprovalEventTypes = Object.freeze([
  'ApprovalGranted',
  'ApprovalDenied',
  'ApprovalExpired',
  'ApprovalCancelled',
] as const satisfies readonly ApprovalLifecycleEventType[]);
