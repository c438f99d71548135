import type { StatusReason } from '@chaperone/k8s-status';
import type { SettledStatus } from './approval-state';

/** The Kubernetes reasons a refused command can carry. */
export type ApprovalErrorReason = Extract<StatusReason, 'BadRequest' | 'Forbidden' | 'NotFound' | 'Conflict' | 'InternalError'>;

/**
 * Why a command was refused. Like Kubernetes' `StatusError`, each error carries its reason, and
 * every edge reads it: the approvers API answers the `Status` of that reason, the bus its wire code.
 */
export abstract class ApprovalError extends Error {
  abstract readonly reason: ApprovalErrorReason;

  protected constructor(
    readonly approvalId: string,
    message: string,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

export class ApprovalNotFound extends ApprovalError {
  readonly reason = 'NotFound';

  constructor(approvalId: string) {
    super(approvalId, `approval ${approvalId} does not exist`);
  }
}

/** A second RequestApproval for an id already in use. */
export class ApprovalAlreadyRequested extends ApprovalError {
  readonly reason = 'Conflict';

  constructor(approvalId: string) {
    super(approvalId, `approval ${approvalId} was already requested`);
  }
}

/** RequestApproval with terms nobody could satisfy (no approver group, N < 1, no time to wait…). */
export class InvalidApprovalRequest extends ApprovalError {
  readonly reason = 'BadRequest';

  constructor(
    approvalId: string,
    readonly problem: string,
  ) {
    super(approvalId, `approval ${approvalId} cannot be requested: ${problem}`);
  }
}

/** The first final decision wins; conflicting or late decisions are refused (→ 409). */
export class AlreadySettled extends ApprovalError {
  readonly reason = 'Conflict';

  constructor(
    approvalId: string,
    readonly status: SettledStatus,
  ) {
    super(approvalId, `approval ${approvalId} is already ${status}; the first decision stands`);
  }
}

/** The requester can never approve or deny its own request (same subject or same username). */
export class SelfApprovalRefused extends ApprovalError {
  readonly reason = 'Forbidden';

  constructor(approvalId: string) {
    super(approvalId, `approval ${approvalId}: a requester cannot decide on its own request; ask another approver`);
  }
}

export class NotAnApprover extends ApprovalError {
  readonly reason = 'Forbidden';

  constructor(
    approvalId: string,
    readonly approverGroups: readonly string[],
  ) {
    super(approvalId, `approval ${approvalId} can only be decided by members of: ${approverGroups.join(', ')}`);
  }
}

/** The same approver voting twice: N-of-M counts distinct people. */
export class DuplicateVote extends ApprovalError {
  readonly reason = 'Conflict';

  constructor(approvalId: string) {
    super(approvalId, `approval ${approvalId}: you already approved; another approver must vote`);
  }
}

export class NotYetExpired extends ApprovalError {
  readonly reason = 'Conflict';

  constructor(
    approvalId: string,
    readonly expiresAt: string,
  ) {
    super(approvalId, `approval ${approvalId} does not expire before ${expiresAt}`);
  }
}

/** Execution needs a grant; this approval has none (still pending, or settled otherwise). */
export class NotGranted extends ApprovalError {
  readonly reason = 'Conflict';

  constructor(
    approvalId: string,
    readonly status: 'pending' | 'denied' | 'expired' | 'cancelled',
  ) {
    super(approvalId, `approval ${approvalId} is ${status}, not granted; the request cannot run`);
  }
}

export class GrantExpired extends ApprovalError {
  readonly reason = 'Conflict';

  constructor(
    approvalId: string,
    readonly grantExpiresAt: string,
  ) {
    super(approvalId, `approval ${approvalId}: the grant ended at ${grantExpiresAt}; request approval again`);
  }
}

/** A grant runs its request exactly once. */
export class AlreadyExecuted extends ApprovalError {
  readonly reason = 'Conflict';

  constructor(approvalId: string) {
    super(approvalId, `approval ${approvalId} was already used; request approval again`);
  }
}

/** The request presented is not the one that was approved. */
export class FingerprintMismatch extends ApprovalError {
  readonly reason = 'Conflict';

  constructor(approvalId: string) {
    super(approvalId, `approval ${approvalId} was granted for a different request; request approval for this one`);
  }
}

export class ReasonRequired extends ApprovalError {
  readonly reason = 'BadRequest';

  constructor(
    approvalId: string,
    readonly who: 'requester' | 'approver',
  ) {
    super(approvalId, `approval ${approvalId}: a non-empty reason is required from the ${who}`);
  }
}

/** `evolve` met an event its state cannot follow: the stream is corrupt, never a user mistake. */
export class IllegalApprovalTransition extends ApprovalError {
  readonly reason = 'InternalError';

  constructor(
    approvalId: string,
    readonly from: string,
    readonly eventType: string,
  ) {
    super(approvalId, `approval ${approvalId}: ${eventType} cannot follow state ${from}`);
  }
}
