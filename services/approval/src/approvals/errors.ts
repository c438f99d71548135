import type { DecidedStatus } from './approval-state';

/**
 * Why a command was refused. Each is a distinct class so that the edge maps them to a Kubernetes
 * `Status` in one place (e.g. `AlreadyDecided` → 409 Conflict).
 */
export abstract class ApprovalError extends Error {
  protected constructor(
    readonly approvalId: string,
    message: string,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

export class ApprovalNotFound extends ApprovalError {
  constructor(approvalId: string) {
    super(approvalId, `approval ${approvalId} does not exist`);
  }
}

/** A second RequestApproval for an id already in use. */
export class ApprovalAlreadyRequested extends ApprovalError {
  constructor(approvalId: string) {
    super(approvalId, `approval ${approvalId} was already requested`);
  }
}

/** RequestApproval with terms nobody could satisfy (no approver group, N < 1, no time to wait…). */
export class InvalidApprovalRequest extends ApprovalError {
  constructor(
    approvalId: string,
    readonly problem: string,
  ) {
    super(approvalId, `approval ${approvalId} cannot be requested: ${problem}`);
  }
}

/** The first final decision wins; conflicting or late decisions are refused (→ 409). */
export class AlreadyDecided extends ApprovalError {
  constructor(
    approvalId: string,
    readonly status: DecidedStatus,
  ) {
    super(approvalId, `approval ${approvalId} is already ${status}; the first decision stands`);
  }
}

/** The requester can never approve or deny its own request (same subject or same username). */
export class SelfApprovalRefused extends ApprovalError {
  constructor(approvalId: string) {
    super(approvalId, `approval ${approvalId}: a requester cannot decide on its own request; ask another approver`);
  }
}

export class NotAnApprover extends ApprovalError {
  constructor(
    approvalId: string,
    readonly approverGroups: readonly string[],
  ) {
    super(approvalId, `approval ${approvalId} can only be decided by members of: ${approverGroups.join(', ')}`);
  }
}

/** The same approver voting twice: N-of-M counts distinct people. */
export class DuplicateVote extends ApprovalError {
  constructor(approvalId: string) {
    super(approvalId, `approval ${approvalId}: you already approved; another approver must vote`);
  }
}

export class NotYetExpired extends ApprovalError {
  constructor(
    approvalId: string,
    readonly expiresAt: string,
  ) {
    super(approvalId, `approval ${approvalId} does not expire before ${expiresAt}`);
  }
}

/** Execution needs a grant; this approval has none (still pending, or settled otherwise). */
export class NotGranted extends ApprovalError {
  constructor(
    approvalId: string,
    readonly status: 'pending' | 'denied' | 'expired' | 'cancelled',
  ) {
    super(approvalId, `approval ${approvalId} is ${status}, not granted; the request cannot run`);
  }
}

export class GrantExpired extends ApprovalError {
  constructor(
    approvalId: string,
    readonly grantExpiresAt: string,
  ) {
    super(approvalId, `approval ${approvalId}: the grant ended at ${grantExpiresAt}; request approval again`);
  }
}

/** A grant runs its request exactly once. */
export class AlreadyExecuted extends ApprovalError {
  constructor(approvalId: string) {
    super(approvalId, `approval ${approvalId} was already used; request approval again`);
  }
}

/** The request presented is not the one that was approved. */
export class FingerprintMismatch extends ApprovalError {
  constructor(approvalId: string) {
    super(approvalId, `approval ${approvalId} was granted for a different request; request approval for this one`);
  }
}

export class ReasonRequired extends ApprovalError {
  constructor(
    approvalId: string,
    readonly who: 'requester' | 'approver',
  ) {
    super(approvalId, `approval ${approvalId}: a non-empty reason is required from the ${who}`);
  }
}

/** `evolve` met an event its state cannot follow: the stream is corrupt, never a user mistake. */
export class IllegalApprovalTransition extends ApprovalError {
  constructor(
    approvalId: string,
    readonly from: string,
    readonly eventType: string,
  ) {
    super(approvalId, `approval ${approvalId}: ${eventType} cannot follow state ${from}`);
  }
}
