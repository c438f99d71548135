import fc from 'fast-check';
import type { ApprovalLifecycleEvent, Approver, Requester } from './approval-events';
import { FinalApprovalEventTypes } from './approval-events';
import type { ApprovalLifecycleCommand, RequestApproval } from './approval-commands';
import { initialState, type ApprovalState } from './approval-state';
import { decide } from './decide';
import { evolve, evolveAll } from './evolve';
import { ApprovalError, IllegalApprovalTransition } from './errors';
import { requestFingerprint } from '@chaperone/contracts';

const ID = 'apr-1';
const T0 = Date.parse('2025-03-01T10:00:00.000Z');

const requester: Requester = { subject: 'oidc|agent', username: 'agent', agent: 'claude', groups: ['agents', 'sre'] };
/** People who may try to decide: approvers, outsiders, and aliases that share a subject or a user name. */
const people: Approver[] = [
  { subject: 'oidc|alice', username: 'alice', groups: ['sre'] },
  { subject: 'oidc|bob', username: 'bob', groups: ['platform'] },
  { subject: 'oidc|dave', username: 'dave', groups: ['sre', 'platform'] },
  { subject: 'other|alice', username: 'alice', groups: ['sre'] }, // alice again, other identity provider
  { subject: 'oidc|bob', username: 'robert', groups: ['sre'] }, // bob again, other user name
  { subject: 'oidc|carol', username: 'carol', groups: ['developers'] }, // not an approver
  { subject: requester.subject, username: 'agent-2', groups: ['sre'] }, // the requester
  { subject: 'other|agent', username: requester.username, groups: ['sre'] }, // the requester
];
const fingerprints = [0, 1].map((n) =>
  requestFingerprint({ subject: requester.subject, verb: 'delete', path: `/api/v1/pods/p${n}`, query: '', bodyDigest: '' }),
);
const FP = fingerprints[0] as string;

const request = (overrides: Partial<RequestApproval['data']> = {}): RequestApproval => ({
  type: 'RequestApproval',
  data: {
    approvalId: ID,
    requestFingerprint: FP,
    requester,
    request: { verb: 'delete', apiGroup: '', resource: 'pods', subresource: '', namespace: '', name: 'p0', path: '/p0' },
    reason: '',
    requireReason: false,
    rule: 'r',
    approverGroups: ['sre'],
    requiredApprovals: 1,
    mode: 'hold',
    expiresInSeconds: 60,
    grantTtlSeconds: 60,
    requestId: 'req-0',
    sessionId: 'sess-1',
    traceId: 'trace-1',
    interceptEventId: 'evt-1',
    method: 'DELETE',
    query: '',
    ...overrides,
  },
});
const requestedState = (overrides: Partial<RequestApproval['data']> = {}): ApprovalState =>
  evolveAll(decide(request(overrides), initialState, { now: new Date(T0) }), initialState);

const approvalId = fc.oneof({ arbitrary: fc.constant(ID), weight: 9 }, { arbitrary: fc.constant('apr-2'), weight: 1 });
const person = fc.constantFrom(...people);
const reason = fc.constantFrom('', ' ', 'looks right');

const requestArb: fc.Arbitrary<RequestApproval> = fc.record({
  type: fc.constant('RequestApproval' as const),
  data: fc.record({
    approvalId,
    requestFingerprint: fc.constantFrom(...fingerprints),
    requester: fc.constant(requester),
    request: fc.constant({
      verb: 'delete',
      apiGroup: '',
      resource: 'pods',
      subresource: '',
      namespace: 'default',
      name: 'p0',
      path: '/api/v1/pods/p0',
    }),
    reason,
    requireReason: fc.boolean(),
    rule: fc.constant('approve-deletes'),
    approverGroups: fc.constantFrom<string[]>(['sre'], ['sre', 'platform'], ['platform']),
    requiredApprovals: fc.integer({ min: 1, max: 3 }),
    mode: fc.constantFrom('hold' as const, 'ticket' as const),
    expiresInSeconds: fc.integer({ min: 1, max: 900 }),
    grantTtlSeconds: fc.integer({ min: 1, max: 600 }),
    requestId: fc.constant('req-0'),
    sessionId: fc.constant('sess-1'),
    traceId: fc.constant('trace-1'),
    interceptEventId: fc.constant('evt-1'),
    method: fc.constant('DELETE'),
    query: fc.constant(''),
  }),
});

const commandArb: fc.Arbitrary<ApprovalLifecycleCommand> = fc.oneof(
  requestArb,
  fc.record({ type: fc.constant('Approve' as const), data: fc.record({ approvalId, approver: person, reason }) }),
  fc.record({ type: fc.constant('Approve' as const), data: fc.record({ approvalId, approver: person, reason }) }),
  fc.record({ type: fc.constant('Deny' as const), data: fc.record({ approvalId, approver: person, reason }) }),
  fc.record({ type: fc.constant('Expire' as const), data: fc.record({ approvalId }) }),
  fc.record({
    type: fc.constant('Cancel' as const),
    data: fc.record({ approvalId, why: fc.constantFrom('client-gone' as const, 'requester-withdrew' as const) }),
  }),
  fc.record({
    type: fc.constant('MarkExecuted' as const),
    data: fc.record({
      approvalId,
      requestId: fc.constantFrom('req-1', 'req-2'),
      requestFingerprint: fc.constantFrom(...fingerprints),
    }),
  }),
);

/** Seconds since the previous command: the clock only moves forward, mostly in small steps. */
const elapsedArb = fc.oneof(
  { arbitrary: fc.integer({ min: 0, max: 20 }), weight: 4 },
  { arbitrary: fc.integer({ min: 0, max: 600 }), weight: 1 },
);

/** Mostly a request first (so decisions have something to act on), then any commands at any time. */
const scriptArb = fc
  .tuple(fc.option(requestArb, { freq: 8 }), fc.array(fc.tuple(commandArb, elapsedArb), { maxLength: 30 }))
  .map(([first, rest]) => (first === null ? rest : [[first, 0] as [ApprovalLifecycleCommand, number], ...rest]));

const samePerson = (a: { subject: string; username: string }, b: { subject: string; username: string }) =>
  a.subject === b.subject || a.username === b.username;
const isFinal = (e: ApprovalLifecycleEvent) => (FinalApprovalEventTypes as readonly string[]).includes(e.type);

/** What must hold of any state reachable through decide → evolve. */
function assertLegalState(state: ApprovalState): void {
  if (state.status === 'none') return;
  const { terms, votes } = state;
  for (const [i, vote] of votes.entries()) {
    expect(samePerson(vote.approver, terms.requester)).toBe(false);
    expect(vote.approver.groups.some((g) => terms.approverGroups.includes(g))).toBe(true);
    expect(vote.reason.trim()).not.toBe('');
    expect(votes.slice(0, i).some((earlier) => samePerson(earlier.approver, vote.approver))).toBe(false);
  }
  switch (state.status) {
    case 'pending':
      expect(votes.length).toBeLessThan(terms.requiredApprovals);
      break;
    case 'granted':
    case 'executed':
      expect(votes.length).toBe(terms.requiredApprovals);
      expect(Date.parse(state.grantExpiresAt) - Date.parse(state.grantedAt)).toBe(terms.grantTtlSeconds * 1000);
      expect(Date.parse(state.grantedAt)).toBeLessThan(Date.parse(terms.expiresAt));
      if (state.status === 'executed') expect(Date.parse(state.executedAt)).toBeLessThan(Date.parse(state.grantExpiresAt));
      break;
    case 'denied':
      expect(samePerson(state.deniedBy, terms.requester)).toBe(false);
      expect(state.deniedBy.groups.some((g) => terms.approverGroups.includes(g))).toBe(true);
      expect(votes.length).toBeLessThan(terms.requiredApprovals);
      break;
    case 'expired':
      expect(Date.parse(state.expiredAt)).toBeGreaterThanOrEqual(Date.parse(terms.expiresAt));
      break;
    case 'cancelled':
      expect(Date.parse(state.cancelledAt)).toBeLessThan(Date.parse(terms.expiresAt));
      break;
  }
}

/** What must hold of any stream decide produced. */
function assertLegalStream(stream: ApprovalLifecycleEvent[]): void {
  if (stream.length === 0) return;
  expect(stream[0]?.type).toBe('ApprovalRequested');
  expect(stream.filter((e) => e.type === 'ApprovalRequested')).toHaveLength(1);
  expect(stream.filter(isFinal).length).toBeLessThanOrEqual(1);
  expect(stream.filter((e) => e.type === 'ApprovalExecuted').length).toBeLessThanOrEqual(1);
  const finalAt = stream.findIndex(isFinal);
  if (finalAt >= 0) {
    const after = stream.slice(finalAt + 1);
    // After a final decision nothing happens, except the one execution of a grant.
    expect(after.every((e) => e.type === 'ApprovalExecuted' && stream[finalAt]?.type === 'ApprovalGranted')).toBe(true);
  }
  const executedAt = stream.findIndex((e) => e.type === 'ApprovalExecuted');
  if (executedAt >= 0) expect(stream.slice(0, executedAt).some((e) => e.type === 'ApprovalGranted')).toBe(true);
  const requested = stream[0];
  if (requested?.type === 'ApprovalRequested') {
    const grantedAt = stream.findIndex((e) => e.type === 'ApprovalGranted');
    if (grantedAt >= 0) {
      const voters = stream.slice(0, grantedAt + 1).flatMap((e) =>
        e.type === 'ApprovalVoteRecorded' || e.type === 'ApprovalGranted' ? [e.data.approver] : [],
      );
      expect(voters).toHaveLength(requested.data.requiredApprovals);
    }
  }
  const times = stream.map((e) => Date.parse(e.data.at));
  expect(times).toEqual([...times].sort((a, b) => a - b));
}

describe('decide → evolve', () => {
  it('never reaches an illegal state, whatever the commands and their timing', () => {
    fc.assert(
      fc.property(scriptArb, (script) => {
        let state: ApprovalState = initialState;
        let clock = T0;
        const stream: ApprovalLifecycleEvent[] = [];
        for (const [command, elapsed] of script) {
          clock += elapsed * 1000;
          const now = new Date(clock);
          let events: ApprovalLifecycleEvent[];
          try {
            events = decide(command, state, { now });
          } catch (error) {
            expect(error).toBeInstanceOf(ApprovalError); // refusals are typed, never a crash
            continue;
          }
          expect(events).toHaveLength(1);
          expect(decide(command, state, { now })).toEqual(events); // pure: same inputs, same answer
          if (command.type === 'MarkExecuted' && state.status !== 'none') {
            expect(command.data.requestFingerprint).toBe(state.terms.requestFingerprint);
          }
          state = evolveAll(events, state);
          stream.push(...events);
          assertLegalState(state);
        }
        assertLegalStream(stream);
        expect(evolveAll(stream, initialState)).toEqual(state); // replay gives the same state
      }),
      { numRuns: 2000 },
    );
  });

  it('racing timers on several replicas append one ApprovalExpired', () => {
    fc.assert(
      fc.property(fc.integer({ min: 2, max: 5 }), fc.integer({ min: 0, max: 60 }), (replicas, lateBy) => {
        let state = requestedState();
        let appended = 0;
        for (let r = 0; r < replicas; r++) {
          try {
            const now = new Date(T0 + (60 + lateBy + r) * 1000);
            state = evolveAll(decide({ type: 'Expire', data: { approvalId: ID } }, state, { now }), state);
            appended++;
          } catch (error) {
            expect((error as Error).name).toBe('AlreadySettled');
          }
        }
        expect(appended).toBe(1);
        expect(state.status).toBe('expired');
      }),
    );
  });

  it('N distinct authorised approvers voting in time always grant, and never sooner', () => {
    const approvers = people.slice(0, 3); // alice, bob, dave: distinct, authorised, not the requester
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 3 }), fc.shuffledSubarray(approvers, { minLength: 3 }), (n, order) => {
        let state = requestedState({ approverGroups: ['sre', 'platform'], requiredApprovals: n, expiresInSeconds: 600 });
        for (const [i, approver] of order.slice(0, n).entries()) {
          expect(state.status).toBe('pending');
          const now = new Date(T0 + (i + 1) * 1000);
          state = evolveAll(decide({ type: 'Approve', data: { approvalId: ID, approver, reason: 'ok' } }, state, { now }), state);
        }
        expect(state.status).toBe('granted');
      }),
    );
  });
});

describe('evolve on a corrupt stream', () => {
  const at = new Date(T0).toISOString();
  const granted: ApprovalLifecycleEvent = {
    type: 'ApprovalGranted',
    data: { approvalId: ID, at, approver: people[0] as Approver, reason: 'ok', grantExpiresAt: at },
  };
  const executed: ApprovalLifecycleEvent = {
    type: 'ApprovalExecuted',
    data: { approvalId: ID, at, requestId: 'r' },
  };

  it('refuses a decision with no request before it', () => {
    expect(() => evolve(initialState, granted)).toThrow(IllegalApprovalTransition);
  });

  it('refuses an execution without a grant, and events of another approval', () => {
    const state = requestedState({ approvalId: 'apr-2' });
    const executedHere = { ...executed, data: { ...executed.data, approvalId: 'apr-2' } };
    expect(() => evolve(state, executedHere)).toThrow(IllegalApprovalTransition);
    expect(() => evolve(state, granted)).toThrow(IllegalApprovalTransition);
  });
});
