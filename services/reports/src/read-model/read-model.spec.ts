import type { RecordedEvent } from '@chaperone/event-store';
import { recordedHistory } from '../testing/snapshot-fixtures';
import { applyRecorded, emptyReadModel, type ReadModel } from './read-model';
import { readSnapshot, snapshotLines } from './snapshot';

/** A generated history as the store would return it: global positions 1..n. */
function recorded(events = 3000, seed = 7): RecordedEvent[] {
  return recordedHistory({ events, agents: 12, seed, start: new Date('2026-01-01T00:00:00Z'), spanDays: 10, runId: 'u' });
}

function fold(events: readonly RecordedEvent[], model: ReadModel = emptyReadModel()): ReadModel {
  for (const e of events) applyRecorded(model, e);
  return model;
}

describe('read model', () => {
  const history = recorded();

  it('given a history, when folded, then every request of every session is in its timeline in stream order', () => {
    const m = fold(history);
    expect(m.position).toBe(history.length);
    expect(m.invalid).toEqual([]);
    expect(m.orphanApprovalEvents).toBe(0);
    const intercepts = history.filter((e) => e.type === 'RequestIntercepted');
    expect(m.requests.size).toBe(intercepts.length);
    const session = [...m.sessions.values()][0];
    const expected = intercepts.filter((e) => (e.data as { sessionId: string }).sessionId === session?.sessionId).map((e) => (e.data as { requestId: string }).requestId);
    expect(session?.requestIds).toEqual(expected);
  });

  it('given events delivered again (at or before the checkpoint), when folded, then nothing changes', () => {
    const once = fold(history);
    const twice = fold([...history.slice(0, 1000), ...history.slice(500, 2000), ...history.slice(0, history.length)]);
    expect(twice).toEqual(once);
  });

  it('given events of one append sharing a position, cut anywhere and delivered again from it, then each is applied once', () => {
    // Three events to a position, as a store that keeps an append's events together gives them.
    const shared = history.map((e, i) => ({ ...e, globalPosition: Math.floor(i / 3) + 1 }));
    const once = fold(shared);
    expect(once.applied).toBe(shared.length);
    const m = emptyReadModel();
    for (let i = 0; i < shared.length; i += 500) {
      // Each page starts again at the last position applied, as catchUp reads.
      const from = Math.max(m.position, 1);
      fold(shared.filter((e, k) => e.globalPosition >= from && k < i + 500), m);
    }
    expect(m.applied).toBe(shared.length);
    expect({ ...m, index: undefined }).toEqual({ ...once, index: undefined });
  });

  it('given an incremental build through snapshots, then it equals a build from zero', async () => {
    let m = emptyReadModel();
    for (let i = 0; i < history.length; i += 777) {
      fold(history.slice(i, i + 777), m);
      m = (await readSnapshot(snapshotLines(m))) as ReadModel;
    }
    expect(m).toEqual(fold(history));
  });

  it('given a stored event that breaks its contract, then it is counted as invalid and the fold goes on', () => {
    const bad: RecordedEvent = { ...(history[5] as RecordedEvent), globalPosition: history.length + 1, data: { type: 'RequestCompleted', secret: 'x' }, type: 'RequestCompleted' };
    const m = fold([...history, bad]);
    expect(m.invalid).toEqual([{ position: bad.globalPosition, stream: bad.stream, eventId: bad.eventId, type: 'RequestCompleted' }]);
    expect(m.position).toBe(bad.globalPosition);
  });

  it('given a request closed by a reconciler (RequestOutcomeUnknown), then its completion says the outcome is unknown; a real completion wins', () => {
    const intercept = history.find((x) => x.type === 'RequestIntercepted') as RecordedEvent;
    const d = intercept.data as { requestId: string; sessionId: string };
    const requestId = `${d.requestId}-open`;
    const at = (n: number) => ({ globalPosition: history.length + n, revision: 1000 + n });
    const opened = { ...intercept, ...at(1), eventId: 'i-open', data: { ...(intercept.data as object), eventId: 'i-open', requestId } };
    const unknown: RecordedEvent = {
      ...intercept,
      ...at(2),
      eventId: 'u-open',
      type: 'RequestOutcomeUnknown',
      data: { ...(intercept.data as object), eventId: 'u-open', type: 'RequestOutcomeUnknown', requestId, payload: { reason: 'the ingress stopped', approvalId: 'a-1', reachedCluster: 'unknown' } },
    };
    const m = fold([...history, opened, unknown]);
    expect(m.invalid).toEqual([]);
    expect(m.requests.get(requestId)?.completion).toEqual({ outcome: 'unknown', status: 0, durationMs: 0, bytesOut: 0, approvalId: 'a-1' });
    const completed = history.find((x) => x.type === 'RequestCompleted') as RecordedEvent;
    const doneId = (completed.data as { requestId: string }).requestId;
    const late = { ...unknown, ...at(3), eventId: 'u-late', data: { ...(unknown.data as object), eventId: 'u-late', requestId: doneId, sessionId: (completed.data as { sessionId: string }).sessionId } };
    expect(fold([...history, late]).requests.get(doneId)?.completion).toEqual(fold(history).requests.get(doneId)?.completion);
  });

  it('given session ids that are Object prototype names, then they are plain keys', () => {
    const e = history.find((x) => x.type === 'RequestIntercepted') as RecordedEvent;
    const data = { ...(e.data as object), sessionId: '__proto__', requestId: 'constructor' };
    const m = fold([{ ...e, data }]);
    expect(m.sessions.get('__proto__')?.requestIds).toEqual(['constructor']);
    expect(({} as Record<string, unknown>)['requestIds']).toBeUndefined();
  });
});
