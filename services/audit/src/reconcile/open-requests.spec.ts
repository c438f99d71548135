import { ChaperoneEventSchema } from '@chaperone/contracts';
import { decide, evolve, initialOpenRequests, outcomeUnknown, outcomeUnknownEventId, resumePosition, type OpenRequests, type ReconcileCommand, type StoredEvent } from './open-requests';
import { requestTagsOf } from './request-tags';

const T0 = Date.parse('2026-01-01T00:00:00.000Z');
const identity = { subject: 'bot', username: 'agent:bot', groups: [], agent: 'bot', issuer: 'https://issuer' };
let position = 0;

/** A stored event as the reconciler follows it (its tags), and its data (what close() reads back). */
function stored(type: string, requestId: string, payload: Record<string, unknown>, atMs = T0): StoredEvent & { eventId: string; data: unknown } {
  position++;
  const data = { eventId: `${type}-${requestId}`, schemaVersion: 1, time: new Date(atMs).toISOString(), requestId, sessionId: 's1', traceId: 't1', identity, type, payload };
  return { stream: 'session-s1', revision: position - 1, globalPosition: position, eventId: data.eventId, type, data, tags: requestTagsOf({ type, data }) };
}
const intercepted = (id: string, gateway: string | undefined, extra: Record<string, unknown> = {}) =>
  stored('RequestIntercepted', id, { method: 'DELETE', path: '/api/v1/namespaces/default/pods/p', query: '', request: { verb: 'delete' }, userAgent: 'kubectl', sourceAddress: '', upgrade: false, ...(gateway ? { gateway } : {}), ...extra });
const decided = (id: string, effect: string, atMs = T0) => stored('PolicyDecided', id, { interceptEventId: `RequestIntercepted-${id}`, decision: { effect } }, atMs);
const completed = (id: string) => stored('RequestCompleted', id, { outcome: 'forwarded', status: 200, bytesOut: 10, durationMs: 3 });

function given(...events: StoredEvent[]): OpenRequests {
  position = 0;
  return events.reduce(evolve, initialOpenRequests());
}
const when = (overrides: Partial<ReconcileCommand> = {}): ReconcileCommand => ({
  now: T0 + 1000,
  gone: new Map(),
  maxRequestMs: 600_000,
  forgetInterceptsAfterMs: 600_000,
  ...overrides,
});

describe('reconciling requests let through and never completed', () => {
  it('given a decided request whose ingress replica stopped, when reconciled, then one RequestOutcomeUnknown, made from its stored decision, closes it, valid against the contract', () => {
    position = 0;
    const intercept = intercepted('r1', 'ing-a');
    const decision = decided('r1', 'allow');
    const state = given(intercept, decision);
    const cmd = when({ gone: new Map([['ing-a', 9000]]) });
    const out = decide(state, cmd);
    expect(out).toHaveLength(1);
    const event = outcomeUnknown(out[0]!, decision, cmd.now);
    expect(ChaperoneEventSchema.parse(event)).toEqual(event);
    expect(event).toMatchObject({
      type: 'RequestOutcomeUnknown',
      requestId: 'r1',
      sessionId: 's1',
      identity,
      eventId: outcomeUnknownEventId('r1'),
      payload: { decisionEventId: 'PolicyDecided-r1', reachedCluster: 'unknown' },
    });
    expect(event.payload.reason).toMatch(/ingress replica ing-a .* stopped \(no announcement for 9 s\)/);
    expect(out[0]).toMatchObject({ stream: 'session-s1', decisionRevision: 1, decisionPosition: decision.globalPosition });
  });

  it('given requests completed, denied, or held by a live replica, when reconciled, then nothing is closed', () => {
    const state = given(
      intercepted('done', 'ing-a'), decided('done', 'allow'), completed('done'),
      intercepted('denied', 'ing-a'), decided('denied', 'deny'),
      intercepted('live', 'ing-b'), decided('live', 'mask'),
    );
    expect(decide(state, when({ gone: new Map([['ing-a', 9000]]) }))).toEqual([]);
    expect(Object.keys(state.open)).toEqual(['live']);
  });

  it('given a request already closed by a reconciler, when its replica is gone, then it is not closed again', () => {
    const state = given(intercepted('r1', 'ing-a'), decided('r1', 'allow'), stored('RequestOutcomeUnknown', 'r1', { reason: 'x', reachedCluster: 'unknown' }));
    expect(decide(state, when({ gone: new Map([['ing-a', 9000]]) }))).toEqual([]);
  });

  it('given a bounded request older than the bound on a live replica, then it is closed; a watch, a followed log, an upgrade or a held request is not', () => {
    const old = T0 - 700_000;
    const state = given(
      intercepted('get', 'ing-a'), decided('get', 'allow', old),
      intercepted('watch', 'ing-a', { request: { verb: 'watch' } }), decided('watch', 'allow', old),
      intercepted('logs', 'ing-a', { query: 'follow=true' }), decided('logs', 'mask', old),
      intercepted('exec', 'ing-a', { upgrade: true }), decided('exec', 'allow', old),
      intercepted('held', 'ing-a'), decided('held', 'approve', old),
      intercepted('young', 'ing-a'), decided('young', 'allow'),
    );
    const out = decide(state, when());
    expect(out.map((c) => c.requestId)).toEqual(['get']);
    expect(out[0]!.reason).toMatch(/^no RequestCompleted 701 s after the decision/);
  });

  it('given a request whose intercept names no replica (an older ingress), then only the bound closes it', () => {
    const state = given(intercepted('r1', undefined), decided('r1', 'allow'));
    expect(decide(state, when({ gone: new Map([['ing-a', 9000]]) }))).toEqual([]);
    expect(decide(state, when({ now: T0 + 600_000 }))).toHaveLength(1);
  });

  it('given events stored without tags, then the tags derived from them tell the same: a watch is a stream, a long gateway name or request id is left out, not refused', () => {
    const watch = intercepted('w', 'ing-a', { request: { verb: 'watch' } }).data;
    expect(requestTagsOf({ type: 'RequestIntercepted', data: watch })).toEqual({ request: 'w', at: '2026-01-01T00:00:00.000Z', gateway: 'ing-a', streaming: '1' });
    expect(requestTagsOf({ type: 'RequestIntercepted', data: intercepted('x', 'g'.repeat(300)).data })).toEqual({ request: 'x', at: '2026-01-01T00:00:00.000Z' });
    expect(requestTagsOf({ type: 'PolicyDecided', data: decided('y'.repeat(300), 'allow').data })).toEqual({});
    expect(requestTagsOf({ type: 'PolicyDecided', data: decided('y', 'mask').data })).toEqual({ request: 'y', at: '2026-01-01T00:00:00.000Z', effect: 'mask' });
    expect(requestTagsOf({ type: 'ApprovalRequested', data: { requestId: 'z' } })).toEqual({});
  });

  it('the event id is one per request: the same for two reconcilers, different for two requests, a UUID', () => {
    expect(outcomeUnknownEventId('r1')).toBe(outcomeUnknownEventId('r1'));
    expect(outcomeUnknownEventId('r1')).not.toBe(outcomeUnknownEventId('r2'));
    expect(outcomeUnknownEventId('r1')).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });

  it('resumes from the earliest intercept still open; with nothing open, at the last event\'s position (events of one append share it); forgets old undecided intercepts', () => {
    position = 0;
    const state = given(intercepted('a', 'ing-a'), decided('a', 'allow'), intercepted('b', 'ing-a'), decided('b', 'allow'), completed('b'));
    expect(resumePosition(state)).toBe(1);
    evolve(state, completed('a'));
    expect(resumePosition(state)).toBe(state.position);
    evolve(state, intercepted('undecided', 'ing-a'));
    expect(Object.keys(state.intercepts)).toHaveLength(1);
    decide(state, when({ now: T0 + 700_000 }));
    expect(Object.keys(state.intercepts)).toHaveLength(0);
  });
});
