import { createHash } from 'node:crypto';
import { EvidenceStreams } from '@chaperone/contracts';
import { indexRecordings, newRecordingsIndex, storedBodiesOf, type RecordingsIndex } from './recorded-bodies';
import { planPrune } from './recordings-retention';

const digest = (s: string) => `sha256:${createHash('sha256').update(s).digest('hex')}`;
const body = (content: string, extra: object = {}) => ({ digest: digest(`whole ${content}`), size: 100, stored: { digest: digest(content), size: content.length, truncated: false, ...extra } });

let position = 0;
function stored(stream: string, data: Record<string, unknown>) {
  position++;
  return { stream, revision: 0, globalPosition: position, eventId: String(data['eventId']), type: String(data['type']), data, metadata: {} };
}

/** A request's decision (with its retention) and its completion naming the given bodies. */
function request(id: string, completedAt: string, retentionDays: number | undefined, bodies: { requestBody?: object; responseBody?: object }) {
  const envelope = { schemaVersion: 1, requestId: id, sessionId: `s-${id}`, traceId: 't', identity: null };
  return [
    stored(`session-s-${id}`, {
      ...envelope,
      eventId: `${id}-decided`,
      type: 'PolicyDecided',
      time: completedAt,
      payload: { interceptEventId: 'i', decision: { effect: 'allow', record: 'request-and-response', ...(retentionDays ? { recording: { maxBodyBytes: 1000, retentionDays, onStoreFailure: 'defer' } } : {}) } },
    }),
    stored(`session-s-${id}`, { ...envelope, eventId: `${id}-completed`, type: 'RequestCompleted', time: completedAt, payload: { outcome: 'forwarded', status: 200, bytesOut: 1, durationMs: 1, ...bodies } }),
  ];
}

function given(...events: ReturnType<typeof stored>[]): RecordingsIndex {
  const index = newRecordingsIndex();
  for (const e of events) indexRecordings(index, e);
  return index;
}

function pruned(bodies: { requestId: string; field: string; content: string }[], stream: string = EvidenceStreams.recordings) {
  return stored(stream, {
    eventId: `prune-${position}`,
    schemaVersion: 1,
    type: 'RecordingsPruned',
    time: '2026-06-01T00:00:00.000Z',
    requestId: 'run',
    sessionId: '',
    traceId: 'run',
    identity: null,
    payload: {
      asOf: '2026-06-01T00:00:00.000Z',
      bodies: bodies.map((b) => ({ requestId: b.requestId, sessionId: `s-${b.requestId}`, eventId: `${b.requestId}-completed`, field: b.field, storedDigest: digest(b.content), completedAt: '2026-01-01T00:00:00.000Z', retentionDays: 30 })),
      blobs: bodies.map((b) => ({ digest: digest(b.content), outcome: 'deleted' })),
    },
  });
}

describe('retention: which stored bodies a prune deletes', () => {
  it('given a body 31 days old under a 30-day rule and one 29 days old, when pruned, then only the older one expires and its blob is deleted', () => {
    const index = given(
      ...request('old', '2026-03-01T00:00:00Z', 30, { requestBody: body('old body') }),
      ...request('young', '2026-03-03T00:00:00Z', 30, { requestBody: body('young body') }),
    );
    const plan = planPrune(index, new Date('2026-04-01T00:00:01Z'));
    expect(plan.expired.map((e) => [e.ref.requestId, e.ref.field, e.retentionDays, e.expiredAt])).toEqual([['old', 'requestBody', 30, '2026-03-31T00:00:00.000Z']]);
    expect(plan.delete).toEqual([digest('old body')]);
    expect(plan.keep).toEqual([]);
  });

  it('given a body exactly at its retention, when pruned at that instant, then it is kept (expired means more than retentionDays ago)', () => {
    const index = given(...request('r', '2026-03-01T00:00:00Z', 1, { requestBody: body('b') }));
    expect(planPrune(index, new Date('2026-03-02T00:00:00Z')).expired).toEqual([]);
    expect(planPrune(index, new Date('2026-03-02T00:00:00.001Z')).expired).toHaveLength(1);
  });

  it('given an expired body sharing its bytes with a recording still within its retention, when pruned, then the reference expires but the blob is kept for the other request', () => {
    const index = given(
      ...request('old', '2026-01-01T00:00:00Z', 7, { responseBody: body('same bytes') }),
      ...request('new', '2026-03-30T00:00:00Z', 7, { responseBody: body('same bytes') }),
    );
    const plan = planPrune(index, new Date('2026-04-01T00:00:00Z'));
    expect(plan.expired.map((e) => e.ref.requestId)).toEqual(['old']);
    expect(plan.delete).toEqual([]);
    expect(plan.keep).toEqual([{ digest: digest('same bytes'), keptFor: 'new', until: '2026-04-06T00:00:00.000Z' }]);
  });

  it('given two expired references to one blob, when pruned, then the blob is deleted once', () => {
    const index = given(
      ...request('a', '2026-01-01T00:00:00Z', 7, { requestBody: body('shared'), responseBody: body('shared') }),
      ...request('b', '2026-01-02T00:00:00Z', 7, { requestBody: body('shared') }),
    );
    const plan = planPrune(index, new Date('2026-04-01T00:00:00Z'));
    expect(plan.expired).toHaveLength(3);
    expect(plan.delete).toEqual([digest('shared')]);
  });

  it('given a body whose decision carries no retention terms, when pruned, then it is kept and listed, and its blob protects identical expired bodies', () => {
    const index = given(
      ...request('no-terms', '2020-01-01T00:00:00Z', undefined, { requestBody: body('x') }),
      ...request('expired', '2020-01-01T00:00:00Z', 1, { requestBody: body('x') }),
    );
    const plan = planPrune(index, new Date('2026-04-01T00:00:00Z'));
    expect(plan.withoutTerms.map((r) => r.requestId)).toEqual(['no-terms']);
    expect(plan.expired.map((e) => e.ref.requestId)).toEqual(['expired']);
    expect(plan.keep).toEqual([{ digest: digest('x'), keptFor: 'no-terms', until: 'never' }]);
    expect(plan.delete).toEqual([]);
  });

  it('given a reference already pruned, when pruned again, then it is not listed again; a prune event outside the recordings stream covers nothing', () => {
    const events = [...request('r', '2026-01-01T00:00:00Z', 1, { requestBody: body('once'), responseBody: body('twice') })];
    const index = given(...events, pruned([{ requestId: 'r', field: 'requestBody', content: 'once' }]), pruned([{ requestId: 'r', field: 'responseBody', content: 'twice' }], 'session-s-r'));
    const plan = planPrune(index, new Date('2026-04-01T00:00:00Z'));
    expect(plan.expired.map((e) => e.ref.field)).toEqual(['responseBody']);
    expect(plan.delete).toEqual([digest('twice')]);
  });

  it('given a request decided twice (held for approval, then run), when pruned, then the longest retention counts', () => {
    const [decided1, completed] = request('r', '2026-03-01T00:00:00Z', 5, { requestBody: body('b') });
    const [decided2] = request('r', '2026-03-01T00:00:00Z', 60, {});
    const index = given(decided1!, { ...decided2!, eventId: 'again' }, completed!);
    expect(planPrune(index, new Date('2026-04-01T00:00:00Z')).expired).toEqual([]);
  });
});

describe('stored bodies named by an event', () => {
  it('finds every RecordedBody with a stored blob at the top of any payload (a new event type too), not digest-only bodies', () => {
    const e = stored('session-x', {
      eventId: 'e1',
      type: 'SomethingRecorded',
      time: '2026-01-01T00:00:00Z',
      requestId: 'r1',
      sessionId: 'x',
      payload: { transcript: body('text', { timed: true }), requestBody: { digest: digest('d'), size: 1 }, other: { stored: 'not a body' } },
    });
    expect(storedBodiesOf(e)).toEqual([
      expect.objectContaining({ eventId: 'e1', eventType: 'SomethingRecorded', field: 'transcript', requestId: 'r1', sessionId: 'x', storedDigest: digest('text'), timed: true, truncated: false }),
    ]);
  });

  it("finds an exec session's asciicast recording, named by its own digest, and its deferral", () => {
    const e = stored('session-x', {
      eventId: 'e2',
      type: 'ExecSessionRecorded',
      time: '2026-01-01T00:00:00Z',
      requestId: 'r2',
      sessionId: 'x',
      payload: { pod: 'worker-0', recording: { format: 'asciicast-v2', digest: digest('cast'), size: 321, truncated: true }, masked: { count: 1, detectors: {} } },
    });
    expect(storedBodiesOf(e)).toEqual([expect.objectContaining({ eventId: 'e2', field: 'recording', storedDigest: digest('cast'), storedSize: 321, truncated: true, timed: false })]);
    const index = given(stored('session-x', { eventId: 'd2', type: 'RecordingDeferred', requestId: 'r2', sessionId: 'x', payload: { body: 'session', storedDigest: digest('cast'), reason: 'down' } }));
    expect([...index.deferred]).toEqual(['r2/recording']);
  });

  it('takes RecordingDeferred as a body still on its way, keyed by request and field', () => {
    const index = given(stored('session-x', { eventId: 'd', type: 'RecordingDeferred', requestId: 'r1', sessionId: 'x', payload: { body: 'response', storedDigest: digest('z'), reason: 'down' } }));
    expect([...index.deferred]).toEqual(['r1/responseBody']);
  });
});
