import type { ChaperoneEvent, RecordedBody } from '@chaperone/contracts';
import type { RecordedEvent } from '@chaperone/event-store';
import { applyRecorded, emptyReadModel, type ReadModel } from '../read-model';
import { bodyContentType } from './content-type';
import { bodyLink, bodyLinks } from './body-links';
import { recordingLink } from './recording-link';

const sha = (c: string) => `sha256:${c.repeat(64)}`;
const identity = { subject: 'a', username: 'a', groups: ['agents'], agent: 'bot', issuer: 'https://i' };
const envelope = (requestId: string) => ({ schemaVersion: 1 as const, time: '2026-03-01T00:00:00.000Z', requestId, sessionId: 's-1', traceId: 't', identity });
const stored = (c: string, timed = false): RecordedBody => ({ digest: sha(c), size: 10, stored: { digest: sha(c), size: 10, truncated: false, ...(timed ? { timed } : {}) } });

function fold(events: { stream?: string; event: ChaperoneEvent }[]): ReadModel {
  const model = emptyReadModel();
  events.forEach(({ stream, event }, i) => {
    const r: RecordedEvent = { stream: stream ?? `session-${event.sessionId}`, revision: i, globalPosition: i + 1, eventId: event.eventId, type: event.type, data: event, metadata: {}, recordedAt: event.time };
    applyRecorded(model, r);
  });
  return model;
}

const completed = (requestId: string, bodies: { requestBody?: RecordedBody; responseBody?: RecordedBody }): ChaperoneEvent => ({
  ...envelope(requestId),
  eventId: `${requestId}-c`,
  type: 'RequestCompleted',
  payload: { outcome: 'forwarded', status: 200, bytesOut: 10, durationMs: 1, ...bodies },
});

const pruned = (bodies: { requestId: string; field: string; digest: string }[]): ChaperoneEvent => ({
  eventId: 'prune-1',
  schemaVersion: 1,
  type: 'RecordingsPruned',
  time: '2026-06-01T00:00:00.000Z',
  requestId: 'run-1',
  sessionId: '',
  traceId: 'run-1',
  identity: null,
  payload: {
    asOf: '2026-06-01T00:00:00.000Z',
    bodies: bodies.map((b) => ({ requestId: b.requestId, sessionId: 's-1', eventId: `${b.requestId}-c`, field: b.field, storedDigest: b.digest, completedAt: '2026-03-01T00:00:00.000Z', retentionDays: 30 })),
    blobs: [...new Set(bodies.map((b) => b.digest))].map((digest) => ({ digest, outcome: 'deleted' as const })),
  },
});

describe('recorded bodies in the read model', () => {
  it('given a completion with a stored request body, a timed response and a digest-only body, then each body says what was kept and where to read it', () => {
    const m = fold([{ event: completed('r-1', { requestBody: stored('a'), responseBody: stored('b', true) }) }, { event: completed('r-2', { requestBody: { digest: sha('c'), size: 0 } }) }]);
    const r1 = m.requests.get('r-1')!;
    expect(bodyLinks(r1)).toEqual({
      request: { state: 'stored', digest: sha('a'), size: 10, stored: { digest: sha('a'), size: 10, truncated: false, timed: false }, href: '/sessions/s-1/requests/r-1/body/request' },
      response: { state: 'stored', digest: sha('b'), size: 10, stored: { digest: sha('b'), size: 10, truncated: false, timed: true }, href: '/sessions/s-1/requests/r-1/body/response' },
    });
    expect(bodyLinks(m.requests.get('r-2')!)).toEqual({ request: { state: 'digest-only', digest: sha('c'), size: 0 }, response: null });
  });

  it('given a deferred body, then it is still linked, marked deferred', () => {
    const deferred: ChaperoneEvent = { ...envelope('r-1'), eventId: 'd', type: 'RecordingDeferred', payload: { body: 'response', storedDigest: sha('b'), reason: 'down' } };
    const m = fold([{ event: completed('r-1', { responseBody: stored('b') }) }, { event: deferred }]);
    expect(bodyLink(m.requests.get('r-1')!, 'response')).toMatchObject({ state: 'stored', deferred: true });
  });

  it('given a prune in the recordings stream, then the listed bodies are pruned, other bodies and requests are untouched, and no session is made of it', () => {
    const m = fold([
      { event: completed('r-1', { requestBody: stored('a'), responseBody: stored('b') }) },
      { event: completed('r-2', { requestBody: stored('a') }) },
      { stream: 'recordings', event: pruned([{ requestId: 'r-1', field: 'requestBody', digest: sha('a') }]) },
    ]);
    expect(bodyLink(m.requests.get('r-1')!, 'request')).toEqual({ state: 'pruned', digest: sha('a'), size: 10, stored: { digest: sha('a'), size: 10, truncated: false, timed: false }, prunedAsOf: '2026-06-01T00:00:00.000Z' });
    expect(bodyLink(m.requests.get('r-1')!, 'response')?.state).toBe('stored');
    expect(bodyLink(m.requests.get('r-2')!, 'request')?.state).toBe('stored');
    expect([...m.sessions.keys()]).toEqual(['s-1']);
    expect(m.requests.has('run-1')).toBe(false);
    expect(m.invalid).toEqual([]);
  });

  it('given a prune event written to a session stream, then it explains nothing and is counted as invalid', () => {
    const m = fold([{ event: completed('r-1', { requestBody: stored('a') }) }, { stream: 'session-s-1', event: pruned([{ requestId: 'r-1', field: 'requestBody', digest: sha('a') }]) }]);
    expect(bodyLink(m.requests.get('r-1')!, 'request')?.state).toBe('stored');
    expect(m.invalid).toEqual([{ position: 2, stream: 'session-s-1', eventId: 'prune-1', type: 'RecordingsPruned' }]);
  });
});

describe('exec session recordings in the read model', () => {
  const execRecorded = (requestId: string, digest: string): ChaperoneEvent => ({
    ...envelope(requestId),
    eventId: `${requestId}-x`,
    type: 'ExecSessionRecorded',
    payload: {
      subresource: 'exec', pod: 'web-0', namespace: 'default', container: '', protocol: 'v5.channel.k8s.io', tty: false, stdin: false, command: ['cat', '/etc/secret/token'],
      ended: 'upstream-gone', exitCode: 0, bytesFromAgent: 0, bytesToAgent: 40, durationMs: 12, outputMasked: true,
      recording: { format: 'asciicast-v2', digest, size: 120, truncated: false }, masked: { count: 2, detectors: { jwt: 1, password: 1 } },
    },
  });

  it('given an exec session, then its recording is linked to the recording route; a request without one has none', () => {
    const m = fold([{ event: execRecorded('r-x', sha('e')) }, { event: completed('r-2', {}) }]);
    expect(recordingLink(m.requests.get('r-x')!)).toEqual({ state: 'stored', format: 'asciicast-v2', digest: sha('e'), size: 120, truncated: false, href: '/sessions/s-1/requests/r-x/recording' });
    expect(recordingLink(m.requests.get('r-2')!)).toBeNull();
  });

  it('given the recording deferred, then pruned, then the link says so and no longer points at the route', () => {
    const deferred: ChaperoneEvent = { ...envelope('r-x'), eventId: 'd', type: 'RecordingDeferred', payload: { body: 'session', storedDigest: sha('e'), reason: 'down' } };
    const m = fold([{ event: execRecorded('r-x', sha('e')) }, { event: deferred }]);
    expect(recordingLink(m.requests.get('r-x')!)).toMatchObject({ state: 'stored', deferred: true });
    const later = fold([{ event: execRecorded('r-x', sha('e')) }, { stream: 'recordings', event: pruned([{ requestId: 'r-x', field: 'recording', digest: sha('e') }]) }]);
    expect(recordingLink(later.requests.get('r-x')!)).toEqual({ state: 'pruned', format: 'asciicast-v2', digest: sha('e'), size: 120, truncated: false, prunedAsOf: '2026-06-01T00:00:00.000Z' });
  });
});

describe('the media type a stored body is served with', () => {
  const bytes = (s: string) => new TextEncoder().encode(s);
  it('JSON is JSON, other text is plain text, a stream is JSON lines, anything else is bytes; never HTML', () => {
    expect(bodyContentType(bytes(' {"kind":"ConfigMap"}'), false)).toBe('application/json');
    expect(bodyContentType(bytes('{"cut":'), false)).toBe('text/plain; charset=utf-8');
    expect(bodyContentType(bytes('apiVersion: v1\nkind: Pod\n'), false)).toBe('text/plain; charset=utf-8');
    expect(bodyContentType(bytes('<html><script>alert(1)</script></html>'), false)).toBe('text/plain; charset=utf-8');
    expect(bodyContentType(bytes('[0,"x"]\n'), true)).toBe('application/jsonl; charset=utf-8');
    expect(bodyContentType(new Uint8Array([0x6b, 0x38, 0x73, 0x00, 0xff, 0xfe]), false)).toBe('application/octet-stream');
  });
});
