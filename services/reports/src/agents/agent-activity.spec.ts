import { applyRecorded, emptyReadModel, type ReadModel } from '../read-model';
import { emptySummary, generateHistory } from '../workload/generate-history';
import { agentSummaries, MAX_RECENT, parseRecent } from './agent-activity';

/** A generated history (registry, sessions, denials, approvals), folded as the projector does. */
function history(events: number): ReadModel {
  const model = emptyReadModel();
  let position = 0;
  for (const g of generateHistory({ events, agents: 6, seed: 11, start: new Date('2026-02-01T00:00:00Z'), spanDays: 3, runId: 'a' }, emptySummary())) {
    position++;
    applyRecorded(model, { stream: g.stream, revision: position, globalPosition: position, eventId: g.event.eventId, type: g.event.type, data: g.event.data, metadata: {}, recordedAt: '2026-02-04T00:00:00.000Z' });
  }
  return model;
}

describe('agents: the registry with each agent’s recent denials and approvals', () => {
  const model = history(4000);

  it('given a history, then every registered agent is listed with its owner, purpose, scope and last request', () => {
    const list = agentSummaries(model);
    const current = [...model.agents.values()].filter((r) => !r.removedAt);
    expect(list.filter((a) => a.registered).map((a) => a.agent).sort()).toEqual(current.map((r) => r.agent).sort());
    // A removed agent stays listed, with when it was removed.
    const removed = [...model.agents.values()].find((r) => r.removedAt);
    expect(list.find((a) => a.agent === removed?.agent)).toMatchObject({ registered: false, owner: removed?.owner, removedAt: removed?.removedAt });
    for (const a of list.filter((x) => x.registered)) {
      const rec = model.agents.get(a.agent);
      expect(a).toMatchObject({ owner: rec?.owner, purpose: rec?.purpose, scope: rec?.scope });
      const times = [...model.sessions.values()].filter((s) => s.agent === a.agent).map((s) => s.lastTime).sort();
      expect(a.lastSeen).toBe(times.at(-1) ?? null);
    }
  });

  it('given denied requests and approvals, then each agent counts its own and lists the newest first, at most `recent`', () => {
    const list = agentSummaries(model, 3);
    const denied = [...model.requests.values()].filter((r) => r.decision?.effect === 'deny');
    expect(denied.length).toBeGreaterThan(0);
    expect(list.reduce((n, a) => n + a.denials, 0)).toBe(denied.length);
    expect(list.reduce((n, a) => n + a.approvals, 0)).toBe(model.approvals.size);
    const busy = list.find((a) => a.denials > 3 && a.approvals > 0);
    expect(busy).toBeDefined();
    expect(busy?.recentDenials).toHaveLength(3);
    const times = busy?.recentDenials.map((d) => d.time) ?? [];
    expect(times).toEqual([...times].sort().reverse());
    expect(times[0]).toBe(denied.filter((r) => r.agent === busy?.agent).map((r) => r.time).sort().at(-1));
    for (const d of busy?.recentDenials ?? []) expect(model.requests.get(d.requestId)?.agent).toBe(busy?.agent);
    for (const x of busy?.recentApprovals ?? []) expect(model.approvals.get(x.approvalId)?.requester.agent).toBe(busy?.agent);
  });

  it('given an agent that acted without being registered, then it is listed as not registered, after the registered ones', () => {
    const m = history(1500);
    const [name] = [...m.agents.keys()];
    m.agents.delete(name as string);
    const list = agentSummaries(m);
    const gone = list.find((a) => a.agent === name);
    expect(gone).toMatchObject({ registered: false, owner: null, scope: null });
    expect(list.findIndex((a) => !a.registered)).toBe(list.filter((a) => a.registered).length);
  });

  it('given a bad `recent`, then it is refused with the expected form', () => {
    expect(parseRecent(undefined)).toBe(5);
    expect(parseRecent('0')).toBe(0);
    expect(() => parseRecent(String(MAX_RECENT + 1))).toThrow('recent must be a whole number from 0 to 50');
    expect(() => parseRecent('-1')).toThrow(RangeError);
    expect(() => parseRecent(['1', '2'])).toThrow(RangeError);
  });
});
