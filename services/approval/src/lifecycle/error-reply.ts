import { StoreUnavailable } from '@chaperone/event-store';
import { ContractViolation, type ApprovalErrorCode, type ApprovalErrorReply } from '@chaperone/contracts';
import {
  AlreadyDecided,
  AlreadyExecuted,
  ApprovalAlreadyRequested,
  ApprovalError,
  ApprovalNotFound,
  DuplicateVote,
  FingerprintMismatch,
  GrantExpired,
  IllegalApprovalTransition,
  InvalidApprovalRequest,
  NotAnApprover,
  NotGranted,
  NotYetExpired,
  ReasonRequired,
  SelfApprovalRefused,
} from '../approvals';

/** The one mapping from what went wrong to a wire error code; messages never carry tokens or bodies. */
export function errorCodeOf(e: unknown): ApprovalErrorCode {
  if (e instanceof ContractViolation) return 'invalid';
  if (e instanceof StoreUnavailable) return 'unavailable';
  if (e instanceof ApprovalNotFound) return 'not-found';
  if (e instanceof InvalidApprovalRequest || e instanceof ReasonRequired) return 'invalid';
  if (
    e instanceof AlreadyDecided ||
    e instanceof AlreadyExecuted ||
    e instanceof ApprovalAlreadyRequested ||
    e instanceof DuplicateVote ||
    e instanceof FingerprintMismatch ||
    e instanceof GrantExpired ||
    e instanceof NotGranted ||
    e instanceof NotYetExpired ||
    e instanceof SelfApprovalRefused ||
    e instanceof NotAnApprover
  ) {
    return 'conflict';
  }
  if (e instanceof IllegalApprovalTransition) return 'internal';
  return e instanceof ApprovalError ? 'conflict' : 'internal';
}

export function errorReply(e: unknown): ApprovalErrorReply {
  const code = errorCodeOf(e);
  const message =
    code === 'unavailable'
      ? `the approval store is unavailable, nothing was recorded; retry later (${(e as Error).message})`
      : e instanceof Error
        ? e.message
        : 'unexpected error';
  return { error: { code, message } };
}
