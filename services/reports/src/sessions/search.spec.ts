import { readSnapshot, snapshotLines, type ReadModel } from '../read-model';
import { foldedModel } from '../testing/snapshot-fixtures';
import { InvalidQuery, parseSessionQuery, searchSessions, type SessionQuery } from './search';

function folded(events: number, seed: number): ReadModel {
  return foldedModel(events, seed, { agents: 9, start: new Date('2026-02-01T00:00:00Z'), spanDays: 6, runId: 's' });
}

/** The search by definition, with no index: every request of every session, most recent first. */
function scan(model: ReadModel, q: SessionQuery): string[] {
  const inTime = (t: string): boolean => (!q.from || Date.parse(t) >= Date.parse(q.from)) && (!q.to || Date.parse(t) < Date.parse(q.to));
  const requestLevel = q.namespace ?? q.resource ?? q.decision ?? q.from ?? q.to;
  return [...model.sessions.values()]
    .filter((s) => q.agent === undefined || s.agent === q.agent)
    .filter((s) => q.owner === undefined || model.agents.get(s.agent)?.owner === q.owner)
    .filter(
      (s) =>
        requestLevel === undefined ||
        s.requestIds.some((id) => {
          const r = model.requests.get(id);
          const info = r?.info?.isResourceRequest ? r.info : undefined;
          return (
            r !== undefined &&
            (q.namespace === undefined || info?.namespace === q.namespace) &&
            (q.resource === undefined || info?.resource === q.resource) &&
            (q.decision === undefined || r.decision?.effect === q.decision) &&
            inTime(r.time)
          );
        }),
    )
    .sort((a, b) => Date.parse(b.lastTime) - Date.parse(a.lastTime) || (a.sessionId < b.sessionId ? 1 : -1))
    .map((s) => s.sessionId);
}

/** Every page of a search, following `next` until there is none. */
function allPages(model: ReadModel, q: SessionQuery): { ids: string[]; pages: number; totals: Set<number> } {
  const ids: string[] = [];
  const totals = new Set<number>();
  let pages = 0;
  let query = q;
  for (;;) {
    const page = searchSessions(model, query);
    pages++;
    totals.add(page.total);
    ids.push(...page.sessions.map((s) => s.sessionId));
    if (!page.next) return { ids, pages, totals };
    query = { ...q, ...parseSessionQuery({ cursor: page.next, limit: String(q.limit) }) };
  }
}

describe('session search through the index', () => {
  const model = folded(6000, 11);
  const someAgent = [...model.sessions.values()][3]?.agent ?? '';
  const someOwner = [...model.agents.values()][0]?.owner ?? 'nobody';
  const queries: Omit<SessionQuery, 'limit'>[] = [
    {},
    { agent: someAgent },
    { owner: someOwner },
    { namespace: 'kube-system' },
    { resource: 'secrets' },
    { decision: 'deny' },
    { decision: 'approve', resource: 'pods' },
    { namespace: 'default', resource: 'secrets', decision: 'mask' },
    { from: '2026-02-03T00:00:00.000Z' },
    { from: '2026-02-02T00:00:00.000Z', to: '2026-02-02T06:00:00.000Z' },
    { agent: someAgent, decision: 'deny', from: '2026-02-03T00:00:00.000Z', to: '2026-02-05T00:00:00.000Z' },
    { namespace: 'no-such-namespace' },
    { agent: 'no-such-agent' },
  ];

  it.each(queries)('given a generated history, when searching %j, then the sessions are those of a full scan, in the same order', (filters) => {
    const expected = scan(model, { ...filters, limit: 10_000 });
    const found = searchSessions(model, { ...filters, limit: 10_000 });
    expect(found.sessions.map((s) => s.sessionId)).toEqual(expected);
    expect(found.total).toBe(expected.length);
    expect(found.next).toBeUndefined();
  });

  it('given the index rebuilt from a snapshot, when searching, then it answers as the index kept by the fold', async () => {
    const loaded = (await readSnapshot(snapshotLines(model))) as ReadModel;
    for (const filters of queries) expect(searchSessions(loaded, { ...filters, limit: 50 })).toEqual(searchSessions(model, { ...filters, limit: 50 }));
  });

  it('given more matches than the limit, when following next page by page, then every session comes once, in order, with the same total', () => {
    for (const filters of [{}, { decision: 'deny' as const }, { from: '2026-02-03T00:00:00.000Z' }]) {
      const expected = scan(model, { ...filters, limit: 10_000 });
      expect(expected.length).toBeGreaterThan(40);
      const { ids, pages, totals } = allPages(model, { ...filters, limit: 17 });
      expect(ids).toEqual(expected);
      expect(pages).toBe(Math.ceil(expected.length / 17));
      expect([...totals]).toEqual([expected.length]);
    }
  });

  it('given a first page, when the history grows, then the next page still starts after the last session shown', () => {
    const growing = folded(3000, 5);
    const first = searchSessions(growing, { limit: 10 });
    const shown = new Set(first.sessions.map((s) => s.sessionId));
    const later = folded(4000, 5); // the same history, longer: new requests make some sessions the most recent
    const next = searchSessions(later, parseSessionQuery({ limit: '10', cursor: first.next }));
    const lastShown = first.sessions.at(-1)?.lastTime ?? '';
    expect(next.sessions.length).toBe(10);
    expect(next.sessions.every((s) => s.lastTime <= lastShown)).toBe(true);
    expect(next.sessions.filter((s) => shown.has(s.sessionId) && later.sessions.get(s.sessionId)?.lastTime === growing.sessions.get(s.sessionId)?.lastTime)).toEqual([]);
  });

  it('given a cursor that no page produced, then the query is refused with what to send', () => {
    expect(() => parseSessionQuery({ cursor: 'not-a-cursor' })).toThrow(InvalidQuery);
    expect(() => parseSessionQuery({ cursor: 'not-a-cursor' })).toThrow(/cursor must be the `next` value of a previous page/);
  });
});
