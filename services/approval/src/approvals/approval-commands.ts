import type { Approver, ApprovalMode, ApprovalRequestAttributes, CancelReason, Requester } from './approval-events';

/** What `decide` needs besides the command and the state: time is a parameter, never read. */
export interface ApprovalContext {
  now: Date;
}

export interface ApprovalCommand<Type extends string, Data extends object> {
  type: Type;
  data: Data & { approvalId: string };
}

export type RequestApproval = ApprovalCommand<
  'RequestApproval',
  {
    requestFingerprint: string;
    requester: Requester;
    request: ApprovalRequestAttributes;
    reason: string;
    /** The rule demands a justification from the agent: an empty `reason` is refused. */
    requireReason: boolean;
    rule: string;
    approverGroups: string[];
    requiredApprovals: number;
    mode: ApprovalMode;
    /** How long the request may wait for a decision, from `ctx.now`. */
    expiresInSeconds: number;
    grantTtlSeconds: number;
  }
>;

export type Approve = ApprovalCommand<'Approve', { approver: Approver; reason: string }>;

export type Deny = ApprovalCommand<'Deny', { approver: Approver; reason: string }>;

/** From a timer (possibly on several replicas at once); valid only once `now ≥ expiresAt`. */
export type Expire = ApprovalCommand<'Expire', object>;

export type Cancel = ApprovalCommand<'Cancel', { why: CancelReason }>;

/** The granted request is about to run (hold) or was retried by the agent (ticket). */
export type MarkExecuted = ApprovalCommand<
  'MarkExecuted',
  { requestId: string; requestFingerprint: string; status: number }
>;

export type ApprovalLifecycleCommand = RequestApproval | Approve | Deny | Expire | Cancel | MarkExecuted;
