import type { AgentApproval, AgentDenial, AgentSummary } from '@chaperone/contracts';
import type { ReadModel } from '../read-model';

export const DEFAULT_RECENT = 5;
export const MAX_RECENT = 50;

const newest = <T>(list: T[], time: (x: T) => string, n: number): T[] => list.sort((a, b) => (time(a) < time(b) ? 1 : time(a) > time(b) ? -1 : 0)).slice(0, n);

/**
 * The agent registry as the read model holds it, with each agent's last activity, its recent
 * denials (decision `deny`) and the approvals its requests asked for. Agents seen in sessions but
 * not registered are listed too (registered: false), so nothing that acted is left out. One pass
 * over the sessions, requests and approvals of the model.
 */
export function agentSummaries(model: ReadModel, recent = DEFAULT_RECENT): AgentSummary[] {
  const byAgent = new Map<string, { lastSeen: string | null; sessions: number; requests: number; denials: AgentDenial[]; approvals: AgentApproval[] }>();
  const of = (agent: string) => {
    let a = byAgent.get(agent);
    if (!a) byAgent.set(agent, (a = { lastSeen: null, sessions: 0, requests: 0, denials: [], approvals: [] }));
    return a;
  };
  for (const agent of model.agents.keys()) of(agent);
  for (const s of model.sessions.values()) {
    if (!s.agent) continue;
    const a = of(s.agent);
    a.sessions++;
    a.requests += s.requestIds.length;
    if (a.lastSeen === null || s.lastTime > a.lastSeen) a.lastSeen = s.lastTime;
  }
  for (const r of model.requests.values()) {
    if (!r.agent || r.decision?.effect !== 'deny') continue;
    const info = r.info?.isResourceRequest ? r.info : undefined;
    of(r.agent).denials.push({
      time: r.time,
      requestId: r.requestId,
      sessionId: r.sessionId,
      verb: r.info?.verb ?? r.method,
      resource: info ? info.resource + (info.subresource ? `/${info.subresource}` : '') : r.path,
      namespace: info?.namespace ?? '',
      name: info?.name ?? '',
      rule: r.decision.rule,
      reason: r.decision.reason,
    });
  }
  for (const v of model.approvals.values()) {
    if (!v.requester.agent) continue;
    const q = v.request;
    of(v.requester.agent).approvals.push({
      approvalId: v.approvalId,
      requestedAt: v.requestedAt,
      sessionId: v.sessionId,
      verb: q.verb,
      resource: q.resource + (q.subresource ? `/${q.subresource}` : ''),
      namespace: q.namespace,
      name: q.name,
      rule: v.rule,
      status: v.status,
      approvers: v.votes.filter((x) => x.vote === 'approve').map((x) => x.approver.username),
      decidedAt: v.decidedAt ?? null,
    });
  }
  return [...byAgent.entries()]
    .map(([agent, a]): AgentSummary => {
      const rec = model.agents.get(agent);
      return {
        agent,
        registered: rec !== undefined && !rec.removedAt,
        owner: rec?.owner ?? null,
        purpose: rec?.purpose ?? null,
        scope: rec?.scope ?? null,
        registeredAt: rec?.registeredAt ?? null,
        removedAt: rec?.removedAt ?? null,
        lastSeen: a.lastSeen,
        sessions: a.sessions,
        requests: a.requests,
        denials: a.denials.length,
        approvals: a.approvals.length,
        recentDenials: newest(a.denials, (d) => d.time, recent),
        recentApprovals: newest(a.approvals, (x) => x.requestedAt, recent),
      };
    })
    .sort((x, y) => Number(y.registered) - Number(x.registered) || x.agent.localeCompare(y.agent));
}

/** `recent` from the query: how many denials and approvals to list per agent. */
export function parseRecent(value: unknown): number {
  if (value === undefined || value === '') return DEFAULT_RECENT;
  const n = typeof value === 'string' && /^\d{1,3}$/.test(value) ? Number(value) : NaN;
  if (!Number.isInteger(n) || n < 0 || n > MAX_RECENT) throw new RangeError(`recent must be a whole number from 0 to ${MAX_RECENT}`);
  return n;
}
