import type { RequestInfo } from '@chaperone/contracts';
import type { RecordedEvent } from '@chaperone/event-store';
import { recordedHistory } from '../testing/snapshot-fixtures';
import { applyRecorded, emptyReadModel, type ReadModel } from './read-model';
import type { RequestView } from './request-view';
import { readSnapshot, snapshotLines } from './snapshot';

/** A generated history as a store gives it back: every event's data parsed from its own JSON, so no two share a string. */
function asStored(): RecordedEvent[] {
  return recordedHistory({ events: 2000, agents: 6, seed: 11, start: new Date('2026-02-01T00:00:00Z'), spanDays: 5, runId: 'sv' }).map((e) => ({
    ...e,
    data: JSON.parse(JSON.stringify(e.data)) as unknown,
  }));
}

function fold(events: readonly RecordedEvent[]): ReadModel {
  const m = emptyReadModel();
  for (const e of events) applyRecorded(m, e);
  return m;
}

/** Two requests of different sessions whose evidence describes the same path, verb and rule. */
function alike(m: ReadModel): [RequestView, RequestView] {
  const views = [...m.requests.values()].filter((r) => r.info && r.decision);
  for (const a of views) {
    const b = views.find((r) => r.sessionId !== a.sessionId && JSON.stringify([r.info, r.decision]) === JSON.stringify([a.info, a.decision]));
    if (b) return [a, b];
  }
  throw new Error('the history has no two alike requests');
}

describe('read model: values many requests repeat', () => {
  const history = asStored();

  // Strings compare by value in JavaScript, so only the shared objects can be told apart here; the
  // strings go through the same table (the reports bench prints what the model holds per request).
  it('given requests parsed from separate events, when folded, then alike requests hold one copy of their attributes and decision', () => {
    const [a, b] = alike(fold(history));
    expect(b.info).toBe(a.info);
    expect(b.decision).toBe(a.decision);
  });

  it('given the shared values, then the views say what their events say', () => {
    const m = fold(history);
    for (const e of history.filter((x) => x.type === 'RequestIntercepted').slice(0, 50)) {
      const d = e.data as { requestId: string; payload: { request: unknown; path: string } };
      const view = m.requests.get(d.requestId);
      expect(view?.info).toEqual(d.payload.request);
      expect(view?.path).toBe(d.payload.path);
    }
  });

  it('given a shared value, then no view can change it for the others', () => {
    const [a] = alike(fold(history));
    expect(Object.isFrozen(a.info)).toBe(true);
    expect(Object.isFrozen(a.decision)).toBe(true);
    expect(() => (a.decision?.matchedRules as string[]).push('x')).toThrow(TypeError);
    expect(() => (a.eventIds.masking as string[]).push('x')).toThrow(TypeError);
  });

  it('given a model read back from its snapshot, then its views hold the shared copies too', async () => {
    const live = fold(history);
    const loaded = (await readSnapshot(snapshotLines(live))) as ReadModel;
    expect(loaded).toBeDefined();
    const [a] = alike(live);
    const reloaded = loaded.requests.get(a.requestId);
    expect(reloaded).toEqual(a);
    expect(reloaded?.info).toBe(a.info);
    expect(reloaded?.decision).toBe(a.decision);
  });
});

describe('read model: shared values of many kinds and of few', () => {
  it('given more distinct request attributes than their table holds, then decisions seen afterwards are still shared', () => {
    // A module of its own: its full tables must not reach the other tests.
    jest.isolateModules(() => {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const sv = require('./shared-values') as typeof import('./shared-values');
      const info = (i: number): RequestInfo => ({ isResourceRequest: false, path: `/healthz/${i}`, verb: 'get' });
      for (let i = 0; i <= sv.ATTRIBUTES_MAX; i++) sv.sharedInfo(info(i));
      // The attributes' table is full: new attributes are kept as they come ...
      const late = info(sv.ATTRIBUTES_MAX + 1);
      expect(sv.sharedInfo(late)).not.toBe(sv.sharedInfo({ ...late }));
      // ... and a decision first seen now is shared all the same.
      const decision = () => ({ effect: 'allow', rule: 'rule-first-seen-late', policyVersion: 'v', reason: 'r', matchedRules: ['rule-first-seen-late'] });
      expect(sv.sharedDecision(decision())).toBe(sv.sharedDecision(decision()));
    });
  });
});
