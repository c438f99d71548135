import type { ApprovalRequested, Approver, CancelReason } from './approval-events';

/** What `decide` needs besides the command and the state: time is a parameter, never read. */
export interface ApprovalContext {
  now: Date;
}

export interface ApprovalCommand<Type extends string, Data extends object> {
  type: Type;
  data: Data & { approvalId: string };
}

/**
 * The terms of `ApprovalRequested` as asked for: everything but the times, which `decide` derives
 * from `ctx.now` (`expiresAt` from `expiresInSeconds`).
 */
export type RequestApproval = ApprovalCommand<
  'RequestApproval',
  Omit<ApprovalRequested['data'], 'approvalId' | 'at' | 'expiresAt'> & {
    /** The rule demands a justification from the agent: an empty `reason` is refused. */
    requireReason: boolean;
    /** How long the request may wait for a decision, from `ctx.now`. */
    expiresInSeconds: number;
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
  { requestId: string; requestFingerprint: string }
>;

export type ApprovalLifecycleCommand = RequestApproval | Approve | Deny | Expire | Cancel | MarkExecuted;
