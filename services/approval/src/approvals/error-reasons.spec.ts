import { statusOf } from '../approvers-api/api-errors';
import { errorCodeOf } from '../lifecycle/error-reply';
import {
  AlreadySettled,
  AlreadyExecuted,
  ApprovalAlreadyRequested,
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
  type ApprovalError,
} from './errors';

// Each refusal carries its Kubernetes reason; the approvers API answers that Status and the bus the
// matching wire code, so the two edges cannot disagree about what an error means.
const cases: [ApprovalError, number, string][] = [
  [new ApprovalNotFound('a'), 404, 'not-found'],
  [new ApprovalAlreadyRequested('a'), 409, 'conflict'],
  [new InvalidApprovalRequest('a', 'no approver group'), 400, 'invalid'],
  [new AlreadySettled('a', 'denied'), 409, 'conflict'],
  [new SelfApprovalRefused('a'), 403, 'conflict'],
  [new NotAnApprover('a', ['approvers']), 403, 'conflict'],
  [new DuplicateVote('a'), 409, 'conflict'],
  [new NotYetExpired('a', '2030-01-01T00:00:00Z'), 409, 'conflict'],
  [new NotGranted('a', 'pending'), 409, 'conflict'],
  [new GrantExpired('a', '2030-01-01T00:00:00Z'), 409, 'conflict'],
  [new AlreadyExecuted('a'), 409, 'conflict'],
  [new FingerprintMismatch('a'), 409, 'conflict'],
  [new ReasonRequired('a', 'approver'), 400, 'invalid'],
  [new IllegalApprovalTransition('a', 'pending', 'ApprovalExecuted'), 500, 'internal'],
];

describe('approval errors at the edges', () => {
  it.each(cases)('%p: the approvers API answers its reason, the bus its code', (error, httpCode, wireCode) => {
    const status = statusOf(error);
    expect(status).toMatchObject({ kind: 'Status', code: httpCode, reason: error.reason, message: error.message, details: { name: 'a', kind: 'approvals' } });
    expect(errorCodeOf(error)).toBe(wireCode);
  });

  it('anything else is an internal error on both edges, without its message', () => {
    expect(statusOf(new Error('secret detail'))).toMatchObject({ code: 500, reason: 'InternalError' });
    expect(JSON.stringify(statusOf(new Error('secret detail')))).not.toContain('secret detail');
    expect(errorCodeOf(new Error('x'))).toBe('internal');
  });
});
