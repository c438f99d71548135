import { StoreUnavailable } from '@chaperone/event-store';
import { ContractViolation, type ApprovalErrorCode, type ApprovalErrorReply } from '@chaperone/contracts';
import { ApprovalError, type ApprovalErrorReason } from '../approvals';

/** The bus has fewer codes than Kubernetes has reasons: a refused review is a conflict there. */
const WIRE_CODES: Readonly<Record<ApprovalErrorReason, ApprovalErrorCode>> = Object.freeze({
  BadRequest: 'invalid',
  Forbidden: 'conflict',
  NotFound: 'not-found',
  Conflict: 'conflict',
  InternalError: 'internal',
});

/** The wire code of what went wrong: a refused command's is its error's reason; messages never carry tokens or bodies. */
export function errorCodeOf(e: unknown): ApprovalErrorCode {
  if (e instanceof ContractViolation) return 'invalid';
  if (e instanceof StoreUnavailable) return 'unavailable';
  return e instanceof ApprovalError ? WIRE_CODES[e.reason] : 'internal';
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
