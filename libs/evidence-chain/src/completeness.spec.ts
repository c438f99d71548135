import fc from 'fast-check';
import { CompletenessTracker, describeIncomplete, type CompletenessOptions, type CompletenessReport } from './completeness';
import type { RecordedEventLike } from './verify';

/**
 * Given stored events (as the audit and approval services write them), when completeness is
 * checked at `now`, then these requests are reported. Events are built like the real ones: a
 * session stream holds whole bus events as data, an approval stream the lifecycle event's data.
 */
const NOW = new Date('2026-01-01T12:00:00.000Z');
const ago = (seconds: number) => new Date(NOW.getTime() - seconds * 1000).toISOString();
const identity = { subject: 'u1', username: 'u1', agent: 'bot', groups: ['agents'], issuer: 'https://issuer' };

let n = 0;
function request(type: string, requestId: string, at: string, payload: Record<string, unknown>): RecordedEventLike {
  const eventId = `e-${++n}`;
  return {
    stream: 'session-s1',
    revision: n,
    eventId,
    type,
    data: { eventId, schemaVersion: 1, type, time: at, requestId, sessionId: 's1', traceId: 't', identity, payload },
    metadata: {},
  };
}
const info = { isResourceRequest: true, path: '/api/v1/namespaces/default/pods/p1', verb: 'delete', apiPrefix: 'api', apiGroup: '', apiVersion: 'v1', namespace: 'default', resource: 'pods', subresource: '', name: 'p1', parts: ['pods', 'p1'] };
const intercepted = (id: string, at: string) => request('RequestIntercepted', id, at, { method: 'DELETE', path: info.path, query: '', request: info, userAgent: 'kubectl', sourceAddress: '127.0.0.1', upgrade: false });
const decided = (id: string, at: string, effect: string) =>
  request('PolicyDecided', id, at, { interceptEventId: 'i', decision: { effect, rule: 'r', policyVersion: 'sha256:x', reason: '', matchedRules: ['r'] } });
const completed = (id: string, at: string) => request('RequestCompleted', id, at, { outcome: 'forwarded', status: 200, bytesOut: 2, durationMs: 1 });
const outcomeUnknown = (id: string, at: string) => request('RequestOutcomeUnknown', id, at, { reason: 'ingress gone', reachedCluster: 'unknown' });

function approval(type: string, approvalId: string, data: Record<string, unknown>): RecordedEventLike {
  return { stream: `approval-${approvalId}`, revision: ++n, eventId: `a-${n}`, type, data: { approvalId, ...data }, metadata: {} };
}
const approvalRequested = (approvalId: string, requestId: string, at: string, mode: 'hold' | 'ticket', expiresAt: string) =>
  approval('ApprovalRequested', approvalId, {
    at,
    requestId,
    sessionId: 's1',
    mode,
    expiresAt,
    requester: { subject: 'u1', username: 'u1', agent: 'bot', groups: ['agents'] },
    request: { verb: 'delete', apiGroup: '', resource: 'pods', subresource: '', namespace: 'default', name: 'p1', path: info.path },
  });
const granted = (approvalId: string, at: string, grantExpiresAt: string) => approval('ApprovalGranted', approvalId, { at, grantExpiresAt, approver: {}, reason: 'ok' });
const executed = (approvalId: string, requestId: string, at: string) => approval('ApprovalExecuted', approvalId, { at, requestId });
const denied = (approvalId: string, at: string) => approval('ApprovalDenied', approvalId, { at, approver: {}, reason: 'no' });

/** The whole check: one pass, then the settling re-read when something looks open. */
function check(events: RecordedEventLike[], opts: CompletenessOptions = { graceSeconds: 60 }): CompletenessReport {
  const tracker = new CompletenessTracker();
  for (const e of events) tracker.observe(e);
  const findings = tracker.findings(NOW, opts);
  if (findings.unsettled > 0) for (const e of events) findings.settle(e);
  return findings.report();
}
const ids = (r: CompletenessReport) => r.incomplete.map((i) => `${i.kind}:${i.requestId}`);

describe('completeness: every request let through ends with a stored completion', () => {
  it('given intercepted, decided and completed requests, then nothing is incomplete', () => {
    const r = check([intercepted('r1', ago(300)), decided('r1', ago(300), 'allow'), completed('r1', ago(299)), decided('r2', ago(200), 'mask'), completed('r2', ago(200))]);
    expect(r).toEqual({ ok: true, proceeded: 2, inFlight: 0, incomplete: [], graceSeconds: 60, unusedTicketGrants: 0 });
  });

  it('given a decision to proceed with no completion, then it is reported with who, what and when', () => {
    const r = check([intercepted('r1', ago(300)), decided('r1', ago(300), 'allow')]);
    expect(r.ok).toBe(false);
    expect(r.incomplete).toEqual([
      {
        kind: 'decided-not-completed',
        requestId: 'r1',
        sessionId: 's1',
        agent: 'bot',
        verb: 'delete',
        resource: 'pods',
        namespace: 'default',
        name: 'p1',
        time: ago(300),
        stream: 'session-s1',
        effect: 'allow',
        decisionEventId: expect.stringMatching(/^e-/),
      },
    ]);
    expect(describeIncomplete(r.incomplete[0]!)).toMatch(/^request r1 \(session s1, agent bot\): delete pods default\/p1, decided allow at .*, no RequestCompleted or RequestOutcomeUnknown stored$/);
  });

  it('given a denied request without completion, then it is not reported: it never proceeded', () => {
    expect(check([intercepted('r1', ago(300)), decided('r1', ago(300), 'deny')])).toMatchObject({ ok: true, proceeded: 0 });
  });

  it('given an intercepted request never decided, then it is not reported: nothing let it through', () => {
    expect(check([intercepted('r1', ago(300))]).ok).toBe(true);
  });

  it('given a reconciler closed the request as outcome unknown, then it counts as ended', () => {
    expect(check([decided('r1', ago(300), 'allow'), outcomeUnknown('r1', ago(10))]).ok).toBe(true);
  });

  it('given a decision younger than the grace window, then it is in flight, not incomplete; a shorter window reports it', () => {
    const events = [intercepted('r1', ago(30)), decided('r1', ago(30), 'allow')];
    expect(check(events)).toMatchObject({ ok: true, inFlight: 1 });
    expect(ids(check(events, { graceSeconds: 10 }))).toEqual(['decided-not-completed:r1']);
  });

  it('given a decision with an unreadable time, then it is reported whatever the grace (never hidden as recent)', () => {
    expect(ids(check([decided('r1', 'not a time', 'allow')], { graceSeconds: 1e9 }))).toEqual(['decided-not-completed:r1']);
  });

  it('given the completion is stored before the decision (another writer, another order), then nothing is reported', () => {
    expect(check([completed('r1', ago(299)), intercepted('r1', ago(300)), decided('r1', ago(300), 'allow')]).ok).toBe(true);
  });

  it('given a held request whose approval is still pending, then it is in flight until the approval expires', () => {
    const held = [intercepted('r1', ago(600)), decided('r1', ago(600), 'approve'), approvalRequested('a1', 'r1', ago(600), 'hold', ago(-60))];
    expect(check(held)).toMatchObject({ ok: true, inFlight: 1 });
    const expiredLongAgo = [intercepted('r1', ago(600)), decided('r1', ago(600), 'approve'), approvalRequested('a1', 'r1', ago(600), 'hold', ago(300))];
    expect(ids(check(expiredLongAgo))).toEqual(['decided-not-completed:r1']);
  });

  it('given a denied approval whose request completed as refused, then nothing is reported', () => {
    expect(check([decided('r1', ago(600), 'approve'), approvalRequested('a1', 'r1', ago(600), 'hold', ago(300)), denied('a1', ago(500)), completed('r1', ago(500))]).ok).toBe(true);
  });
});

describe('completeness: grants and their claims', () => {
  it('given a claimed grant whose request never completed, then the request is reported with its approval', () => {
    const r = check([approvalRequested('a1', 'r1', ago(600), 'hold', ago(300)), granted('a1', ago(500), ago(-100)), executed('a1', 'r1', ago(500))]);
    expect(r.incomplete).toEqual([expect.objectContaining({ kind: 'executed-not-completed', requestId: 'r1', approvalId: 'a1', agent: 'bot', verb: 'delete', resource: 'pods', name: 'p1', time: ago(500) })]);
    expect(describeIncomplete(r.incomplete[0]!)).toContain('its grant of approval a1 claimed at');
  });

  it('given a claim stored before the request\'s own events and a completion after, then nothing is reported', () => {
    const events = [approvalRequested('a1', 'r1', ago(600), 'hold', ago(300)), granted('a1', ago(500), ago(-100)), executed('a1', 'r1', ago(500)), intercepted('r1', ago(600)), decided('r1', ago(600), 'approve'), completed('r1', ago(499))];
    expect(check(events)).toMatchObject({ ok: true, proceeded: 1 });
  });

  it('given a held request granted but never claimed, then the grant is reported', () => {
    const r = check([intercepted('r1', ago(600)), decided('r1', ago(600), 'approve'), approvalRequested('a1', 'r1', ago(600), 'hold', ago(300)), granted('a1', ago(500), ago(-100))]);
    expect(ids(r)).toEqual(['decided-not-completed:r1', 'granted-not-executed:r1']);
    expect(describeIncomplete(r.incomplete[1]!)).toMatch(/^approval a1 of held request r1 .* the grant was never claimed/);
  });

  it('given a ticket grant the agent never used, then it is counted once it ended, never reported', () => {
    const ticket = (grantEnds: number) => [
      intercepted('r1', ago(900)),
      decided('r1', ago(900), 'approve'),
      approvalRequested('a1', 'r1', ago(900), 'ticket', ago(300)),
      completed('r1', ago(900)),
      granted('a1', ago(800), ago(grantEnds)),
    ];
    expect(check(ticket(100))).toMatchObject({ ok: true, unusedTicketGrants: 1 });
    expect(check(ticket(-100))).toMatchObject({ ok: true, unusedTicketGrants: 0 });
  });

  it('given a recent grant, then it is still in flight', () => {
    expect(check([approvalRequested('a1', 'r1', ago(100), 'hold', ago(-100)), granted('a1', ago(5), ago(-600))]).ok).toBe(true);
  });
});

describe('completeness: property', () => {
  it('a request is reported exactly when it proceeded, is past the grace and has no completion anywhere in the store, whatever the order', () => {
    const req = fc.record({ effect: fc.constantFrom('allow', 'mask', 'approve', 'deny'), age: fc.integer({ min: 0, max: 600 }), ends: fc.constantFrom('completed', 'unknown', 'none') });
    fc.assert(
      fc.property(fc.array(req, { maxLength: 12 }), fc.integer({ min: 0, max: 0xffff }), (reqs, seed) => {
        const events: RecordedEventLike[] = [];
        reqs.forEach((q, i) => {
          events.push(intercepted(`r${i}`, ago(q.age)), decided(`r${i}`, ago(q.age), q.effect));
          if (q.ends === 'completed') events.push(completed(`r${i}`, ago(q.age)));
          if (q.ends === 'unknown') events.push(outcomeUnknown(`r${i}`, ago(0)));
        });
        // Any storage order.
        let s = seed;
        for (let i = events.length - 1; i > 0; i--) {
          s = (s * 1103515245 + 12345) & 0x7fffffff;
          const j = s % (i + 1);
          [events[i], events[j]] = [events[j]!, events[i]!];
        }
        const expected = reqs.flatMap((q, i) => (q.effect !== 'deny' && q.age >= 60 && q.ends === 'none' ? [`decided-not-completed:r${i}`] : [])).sort();
        expect(ids(check(events)).sort()).toEqual(expected);
      }),
      { numRuns: 300 },
    );
  });
});
