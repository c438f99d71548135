import type { ApprovalLifecycleEvent, ApprovalRequested, Approver, Requester } from './approval-events';
import type { ApprovalLifecycleCommand, RequestApproval } from './approval-commands';
import { initialState } from './approval-state';
import { decide } from './decide';
import { evolveAll } from './evolve';
import {
  AlreadySettled,
  AlreadyExecuted,
  ApprovalAlreadyRequested,
  ApprovalError,
  ApprovalNotFound,
  DuplicateVote,
  FingerprintMismatch,
  GrantExpired,
  InvalidApprovalRequest,
  NotAnApprover,
  NotGranted,
  NotYetExpired,
  ReasonRequired,
  SelfApprovalRefused,
} from './errors';
import { requestFingerprint } from '@chaperone/contracts';

// ---- given / when / then ------------------------------------------------------------------------

type ErrorClass = new (...args: never[]) => ApprovalError;

/** Given these recorded events, when this command arrives at `now`, then these events (or this error). */
function given(events: ApprovalLifecycleEvent[]) {
  return {
    when(command: ApprovalLifecycleCommand, now: Date = T0) {
      const state = evolveAll(events, initialState);
      const run = () => decide(command, state, { now });
      return {
        then(expected: ApprovalLifecycleEvent[] | ErrorClass): void {
          if (Array.isArray(expected)) {
            const produced = run();
            expect(produced).toEqual(expected);
            // What decide produces must always be foldable onto the state it was decided from.
            expect(() => evolveAll(produced, state)).not.toThrow();
          } else {
            expect(run).toThrow(expected);
          }
        },
      };
    },
  };
}

// ---- fixtures -----------------------------------------------------------------------------------

const ID = 'apr-1';
const T0 = new Date('2025-03-01T10:00:00.000Z');
const seconds = (s: number) => new Date(T0.getTime() + s * 1000);
const iso = (s: number) => seconds(s).toISOString();
const EXPIRES_IN = 600;
const GRANT_TTL = 300;

const agent: Requester = {
  subject: 'oidc|agent-7',
  username: 'system:serviceaccount:ai:agent',
  agent: 'claude',
  groups: ['agents', 'sre'], // even an agent in an approver group can never approve itself
};
const alice: Approver = { subject: 'oidc|alice', username: 'alice', groups: ['sre'] };
const bob: Approver = { subject: 'oidc|bob', username: 'bob', groups: ['platform', 'sre'] };
const carol: Approver = { subject: 'oidc|carol', username: 'carol', groups: ['developers'] };

const FINGERPRINT = requestFingerprint({
  subject: agent.subject,
  verb: 'delete',
  path: '/api/v1/namespaces/shop/pods/web-0',
  query: '',
  bodyDigest: '',
});
const OTHER_FINGERPRINT = requestFingerprint({
  subject: agent.subject,
  verb: 'delete',
  path: '/api/v1/namespaces/shop/pods/web-1',
  query: '',
  bodyDigest: '',
});

const requestCommand = (overrides: Partial<RequestApproval['data']> = {}): RequestApproval => ({
  type: 'RequestApproval',
  data: {
    approvalId: ID,
    requestFingerprint: FINGERPRINT,
    requester: agent,
    request: {
      verb: 'delete',
      apiGroup: '',
      resource: 'pods',
      subresource: '',
      namespace: 'shop',
      name: 'web-0',
      path: '/api/v1/namespaces/shop/pods/web-0',
    },
    reason: 'web-0 is stuck in CrashLoopBackOff; recreating it',
    requireReason: false,
    rule: 'approve-pod-deletes',
    approverGroups: ['sre', 'platform'],
    requiredApprovals: 1,
    mode: 'hold',
    expiresInSeconds: EXPIRES_IN,
    grantTtlSeconds: GRANT_TTL,
    requestId: 'req-0',
    sessionId: 'sess-1',
    traceId: 'trace-1',
    interceptEventId: 'evt-intercept-1',
    decisionEventId: 'evt-decision-1',
    method: 'DELETE',
    query: '',
    ...overrides,
  },
});

const requested = (overrides: Partial<ApprovalRequested['data']> = {}): ApprovalRequested => {
  const { requireReason: _r, expiresInSeconds: _e, ...data } = requestCommand().data;
  return { type: 'ApprovalRequested', data: { ...data, at: iso(0), expiresAt: iso(EXPIRES_IN), ...overrides } };
};
const voted = (approver: Approver, at: number): ApprovalLifecycleEvent => ({
  type: 'ApprovalVoteRecorded',
  data: { approvalId: ID, at: iso(at), approver, reason: 'looks right' },
});
const granted = (approver: Approver, at: number): ApprovalLifecycleEvent => ({
  type: 'ApprovalGranted',
  data: { approvalId: ID, at: iso(at), approver, reason: 'looks right', grantExpiresAt: iso(at + GRANT_TTL) },
});
const denied = (approver: Approver, at: number): ApprovalLifecycleEvent => ({
  type: 'ApprovalDenied',
  data: { approvalId: ID, at: iso(at), approver, reason: 'not during the sale' },
});
const expired = (at: number): ApprovalLifecycleEvent => ({ type: 'ApprovalExpired', data: { approvalId: ID, at: iso(at) } });
const cancelled = (at: number): ApprovalLifecycleEvent => ({
  type: 'ApprovalCancelled',
  data: { approvalId: ID, at: iso(at), why: 'client-gone' },
});
const executed = (at: number, requestId = 'req-1'): ApprovalLifecycleEvent => ({
  type: 'ApprovalExecuted',
  data: { approvalId: ID, at: iso(at), requestId },
});

const approve = (approver: Approver, reason = 'looks right'): ApprovalLifecycleCommand => ({
  type: 'Approve',
  data: { approvalId: ID, approver, reason },
});
const deny = (approver: Approver, reason = 'not during the sale'): ApprovalLifecycleCommand => ({
  type: 'Deny',
  data: { approvalId: ID, approver, reason },
});
const expire: ApprovalLifecycleCommand = { type: 'Expire', data: { approvalId: ID } };
const cancel: ApprovalLifecycleCommand = { type: 'Cancel', data: { approvalId: ID, why: 'client-gone' } };
const markExecuted = (fingerprint = FINGERPRINT, requestId = 'req-1'): ApprovalLifecycleCommand => ({
  type: 'MarkExecuted',
  data: { approvalId: ID, requestId, requestFingerprint: fingerprint },
});

/** Every way an approval can already be settled, for the "first decision wins" rules. */
const settled: [string, ApprovalLifecycleEvent[]][] = [
  ['granted', [requested(), granted(alice, 10)]],
  ['denied', [requested(), denied(alice, 10)]],
  ['expired', [requested(), expired(EXPIRES_IN)]],
  ['cancelled', [requested(), cancelled(10)]],
  ['executed', [requested(), granted(alice, 10), executed(11)]],
];

// ---- RequestApproval ----------------------------------------------------------------------------

describe('RequestApproval', () => {
  it('records the request with its deadline computed from now', () => {
    given([]).when(requestCommand()).then([requested()]);
  });

  it('keeps an empty justification when the rule does not ask for one', () => {
    given([]).when(requestCommand({ reason: '' })).then([requested({ reason: '' })]);
  });

  it.each(['', '   '])('refuses a missing justification (%j) when the rule requires one', (reason) => {
    given([]).when(requestCommand({ reason, requireReason: true })).then(ReasonRequired);
  });

  it('accepts a justification when the rule requires one', () => {
    given([]).when(requestCommand({ requireReason: true })).then([requested()]);
  });

  it('refuses a second request under the same id', () => {
    given([requested()]).when(requestCommand()).then(ApprovalAlreadyRequested);
  });

  it.each<[string, Partial<RequestApproval['data']>]>([
    ['zero approvals', { requiredApprovals: 0 }],
    ['fractional approvals', { requiredApprovals: 1.5 }],
    ['no approver group', { approverGroups: [] }],
    ['a blank approver group', { approverGroups: [' '] }],
    ['a malformed fingerprint', { requestFingerprint: 'sha256:abc' }],
    ['no time to wait', { expiresInSeconds: 0 }],
    ['a grant that never lasts', { grantTtlSeconds: -1 }],
    ['an empty id', { approvalId: '' }],
  ])('refuses terms nobody could satisfy: %s', (_name, overrides) => {
    given([]).when(requestCommand(overrides)).then(InvalidApprovalRequest);
  });
});

// ---- Approve ------------------------------------------------------------------------------------

describe('Approve', () => {
  it('grants at once when one approval is required, with the grant lifetime from now', () => {
    given([requested()]).when(approve(alice), seconds(30)).then([granted(alice, 30)]);
  });

  it('with N=2, records the first vote and keeps the approval pending', () => {
    given([requested({ requiredApprovals: 2 })]).when(approve(alice), seconds(30)).then([voted(alice, 30)]);
    const state = evolveAll([requested({ requiredApprovals: 2 }), voted(alice, 30)], initialState);
    expect(state.status).toBe('pending');
  });

  it('with N=2, grants on the second distinct approver', () => {
    given([requested({ requiredApprovals: 2 }), voted(alice, 30)])
      .when(approve(bob), seconds(40))
      .then([granted(bob, 40)]);
  });

  it('with N=2, refuses the same approver voting twice', () => {
    given([requested({ requiredApprovals: 2 }), voted(alice, 30)]).when(approve(alice), seconds(40)).then(DuplicateVote);
  });

  it('with N=2, refuses the same user name under another subject as a second vote', () => {
    const aliceAgain: Approver = { ...alice, subject: 'other-idp|alice' };
    given([requested({ requiredApprovals: 2 }), voted(alice, 30)])
      .when(approve(aliceAgain), seconds(40))
      .then(DuplicateVote);
  });

  it('with N=3, stays pending after two votes and grants on the third', () => {
    const dave: Approver = { subject: 'oidc|dave', username: 'dave', groups: ['platform'] };
    given([requested({ requiredApprovals: 3 }), voted(alice, 30)]).when(approve(bob), seconds(40)).then([voted(bob, 40)]);
    given([requested({ requiredApprovals: 3 }), voted(alice, 30), voted(bob, 40)])
      .when(approve(dave), seconds(50))
      .then([granted(dave, 50)]);
  });

  it('refuses the requester approving its own request (same subject)', () => {
    const self: Approver = { subject: agent.subject, username: 'someone-else', groups: ['sre'] };
    given([requested()]).when(approve(self)).then(SelfApprovalRefused);
  });

  it('refuses the requester approving its own request (same user name)', () => {
    const self: Approver = { subject: 'other-idp|x', username: agent.username, groups: ['sre'] };
    given([requested()]).when(approve(self)).then(SelfApprovalRefused);
  });

  it('refuses someone outside the approver groups', () => {
    given([requested()]).when(approve(carol)).then(NotAnApprover);
  });

  it.each(['', ' \n '])('refuses an approval without a reason (%j)', (reason) => {
    given([requested()]).when(approve(alice, reason)).then(ReasonRequired);
  });

  it('refuses an unknown approval', () => {
    given([]).when(approve(alice)).then(ApprovalNotFound);
    given([requested({ approvalId: 'apr-other' })]).when(approve(alice)).then(ApprovalNotFound);
  });

  it('refuses a late approval once the deadline passed, even before the timer fires', () => {
    given([requested()]).when(approve(alice), seconds(EXPIRES_IN)).then(AlreadySettled);
  });

  it.each(settled)('refuses a decision on an approval already %s', (_status, events) => {
    given(events).when(approve(bob), seconds(20)).then(AlreadySettled);
  });
});

// ---- Deny ---------------------------------------------------------------------------------------

describe('Deny', () => {
  it('ends the approval at once', () => {
    given([requested()]).when(deny(alice), seconds(10)).then([denied(alice, 10)]);
  });

  it('ends an N-of-M approval at once, even after other votes', () => {
    given([requested({ requiredApprovals: 3 }), voted(alice, 5)]).when(deny(bob), seconds(10)).then([denied(bob, 10)]);
  });

  it('lets an approver who voted yes change their mind to no', () => {
    given([requested({ requiredApprovals: 2 }), voted(alice, 5)]).when(deny(alice), seconds(10)).then([denied(alice, 10)]);
  });

  it('refuses the requester denying its own request', () => {
    given([requested()]).when(deny({ ...alice, subject: agent.subject })).then(SelfApprovalRefused);
  });

  it('refuses someone outside the approver groups', () => {
    given([requested()]).when(deny(carol)).then(NotAnApprover);
  });

  it('refuses a denial without a reason', () => {
    given([requested()]).when(deny(alice, '')).then(ReasonRequired);
  });

  it.each(settled)('refuses a conflicting decision on an approval already %s', (_status, events) => {
    given(events).when(deny(bob), seconds(20)).then(AlreadySettled);
  });

  it('says which decision stood', () => {
    const state = evolveAll([requested(), granted(alice, 10)], initialState);
    expect(() => decide(deny(bob), state, { now: seconds(20) })).toThrow(
      expect.objectContaining({ name: 'AlreadySettled', status: 'granted', approvalId: ID }),
    );
  });
});

// ---- Expire -------------------------------------------------------------------------------------

describe('Expire', () => {
  it('refuses to expire before the deadline', () => {
    given([requested()]).when(expire, seconds(EXPIRES_IN - 1)).then(NotYetExpired);
  });

  it('expires at the deadline', () => {
    given([requested()]).when(expire, seconds(EXPIRES_IN)).then([expired(EXPIRES_IN)]);
  });

  it('expires a partly voted N-of-M approval', () => {
    given([requested({ requiredApprovals: 2 }), voted(alice, 5)])
      .when(expire, seconds(EXPIRES_IN + 3))
      .then([expired(EXPIRES_IN + 3)]);
  });

  it('expires exactly once: a second timer is refused', () => {
    given([requested(), expired(EXPIRES_IN)]).when(expire, seconds(EXPIRES_IN + 1)).then(AlreadySettled);
  });

  it.each(settled)('refuses to expire an approval already %s', (_status, events) => {
    given(events).when(expire, seconds(EXPIRES_IN + 1)).then(AlreadySettled);
  });

  it('refuses an unknown approval', () => {
    given([]).when(expire, seconds(EXPIRES_IN)).then(ApprovalNotFound);
  });
});

// ---- Cancel -------------------------------------------------------------------------------------

describe('Cancel', () => {
  it('cancels a pending approval when the client goes away', () => {
    given([requested()]).when(cancel, seconds(10)).then([cancelled(10)]);
  });

  it('records that the requester withdrew', () => {
    given([requested()])
      .when({ type: 'Cancel', data: { approvalId: ID, why: 'requester-withdrew' } }, seconds(10))
      .then([{ type: 'ApprovalCancelled', data: { approvalId: ID, at: iso(10), why: 'requester-withdrew' } }]);
  });

  it('is late once the deadline passed', () => {
    given([requested()]).when(cancel, seconds(EXPIRES_IN)).then(AlreadySettled);
  });

  it.each(settled)('refuses to cancel an approval already %s', (_status, events) => {
    given(events).when(cancel, seconds(20)).then(AlreadySettled);
  });
});

// ---- MarkExecuted -------------------------------------------------------------------------------

describe('MarkExecuted', () => {
  it('hold mode: the held request runs after the grant', () => {
    given([requested(), granted(alice, 10)]).when(markExecuted(), seconds(10)).then([executed(10)]);
  });

  it('ticket mode: the identical retry within the grant lifetime runs', () => {
    given([requested({ mode: 'ticket' }), granted(alice, 10)])
      .when(markExecuted(), seconds(10 + GRANT_TTL - 1))
      .then([executed(10 + GRANT_TTL - 1)]);
  });

  it('ticket mode: runs exactly once; a second execution is refused', () => {
    given([requested({ mode: 'ticket' }), granted(alice, 10), executed(20)])
      .when(markExecuted(FINGERPRINT, 'req-2'), seconds(30))
      .then(AlreadyExecuted);
  });

  it('ticket mode: a retry of a different request is refused', () => {
    given([requested({ mode: 'ticket' }), granted(alice, 10)])
      .when(markExecuted(OTHER_FINGERPRINT), seconds(20))
      .then(FingerprintMismatch);
  });

  it('ticket mode: a different request is refused after execution too', () => {
    given([requested({ mode: 'ticket' }), granted(alice, 10), executed(20)])
      .when(markExecuted(OTHER_FINGERPRINT), seconds(30))
      .then(FingerprintMismatch);
  });

  it('ticket mode: refuses once the grant lifetime ended', () => {
    given([requested({ mode: 'ticket' }), granted(alice, 10)])
      .when(markExecuted(), seconds(10 + GRANT_TTL))
      .then(GrantExpired);
  });

  it.each<[string, ApprovalLifecycleEvent[]]>([
    ['pending', [requested()]],
    ['pending with a vote', [requested({ requiredApprovals: 2 }), voted(alice, 5)]],
    ['denied', [requested(), denied(alice, 10)]],
    ['expired', [requested(), expired(EXPIRES_IN)]],
    ['cancelled', [requested(), cancelled(10)]],
  ])('refuses to run a request that is %s', (_status, events) => {
    given(events).when(markExecuted(), seconds(20)).then(NotGranted);
  });

  it('refuses an unknown approval', () => {
    given([]).when(markExecuted()).then(ApprovalNotFound);
  });
});
