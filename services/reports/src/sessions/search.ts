import { Effects, type Effect, type SessionDetail, type SessionSummary, type TimelineEntry } from '@chaperone/contracts';
import { isChange, type ReadModel, type SessionView } from '../read-model';
import { requestTimeline } from './timeline';

/** GET /sessions filters; every one optional, all must hold. */
export interface SessionQuery {
  agent?: string;
  owner?: string;
  namespace?: string;
  resource?: string;
  decision?: Effect;
  /** ISO times; a session matches when it has a request in [from, to). */
  from?: string;
  to?: string;
  limit: number;
}

export class InvalidQuery extends Error {
  override readonly name = 'InvalidQuery';
}

const ISO = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2}))?$/;

/** An ISO date or date-time from a query string, normalised to UTC ISO; a clear error otherwise. */
export function parseTime(name: string, value: string | undefined): string | undefined {
  if (value === undefined || value === '') return undefined;
  if (!ISO.test(value) || Number.isNaN(Date.parse(value))) {
    throw new InvalidQuery(`${name} must be an ISO 8601 date or date-time (e.g. 2026-11-25 or 2026-11-25T10:00:00Z)`);
  }
  return new Date(value).toISOString();
}

export function parseSessionQuery(q: Record<string, unknown>): SessionQuery {
  const str = (k: string): string | undefined => {
    const v = q[k];
    if (v === undefined) return undefined;
    if (typeof v !== 'string') throw new InvalidQuery(`${k} must be given once`);
    if (v.length > 256) throw new InvalidQuery(`${k} is too long (max 256 characters)`);
    return v === '' ? undefined : v;
  };
  const decision = str('decision');
  if (decision !== undefined && !(Effects as readonly string[]).includes(decision)) {
    throw new InvalidQuery(`decision must be one of ${Effects.join(', ')}`);
  }
  const limitRaw = str('limit');
  const limit = limitRaw === undefined ? 100 : Number(limitRaw);
  if (!Number.isInteger(limit) || limit < 1 || limit > 10_000) throw new InvalidQuery('limit must be an integer from 1 to 10000');
  const from = parseTime('from', str('from'));
  const to = parseTime('to', str('to'));
  if (from && to && from >= to) throw new InvalidQuery('from must be before to');
  const out: SessionQuery = { limit };
  for (const k of ['agent', 'owner', 'namespace', 'resource'] as const) {
    const v = str(k);
    if (v !== undefined) out[k] = v;
  }
  if (decision) out.decision = decision as Effect;
  if (from) out.from = from;
  if (to) out.to = to;
  return out;
}

function inPeriod(time: string, from: string | undefined, to: string | undefined): boolean {
  const t = new Date(time).toISOString();
  return (!from || t >= from) && (!to || t < to);
}

function summarize(model: ReadModel, s: SessionView): SessionSummary {
  const decisions: Record<Effect, number> = { allow: 0, mask: 0, approve: 0, deny: 0 };
  let maskedValues = 0;
  let changes = 0;
  for (const id of s.requestIds) {
    const r = model.requests.get(id);
    if (r?.decision) decisions[r.decision.effect]++;
    if (r && isChange(r)) changes++;
    maskedValues += r?.masking?.count ?? 0;
  }
  return {
    sessionId: s.sessionId,
    agent: s.agent,
    owner: model.agents.get(s.agent)?.owner ?? null,
    username: s.username,
    firstTime: s.firstTime,
    lastTime: s.lastTime,
    requests: s.requestIds.length,
    changes,
    decisions,
    maskedValues,
  };
}

/**
 * Sessions matching every filter, most recent first. Request-level filters (namespace, resource,
 * decision, time) match a session when one of its requests matches all of them together.
 */
export function searchSessions(model: ReadModel, q: SessionQuery): { total: number; sessions: SessionSummary[] } {
  const matches: SessionView[] = [];
  const requestFilter = q.namespace !== undefined || q.resource !== undefined || q.decision !== undefined || q.from !== undefined || q.to !== undefined;
  for (const s of model.sessions.values()) {
    if (q.agent !== undefined && s.agent !== q.agent) continue;
    if (q.owner !== undefined && model.agents.get(s.agent)?.owner !== q.owner) continue;
    if (requestFilter) {
      const hit = s.requestIds.some((id) => {
        const r = model.requests.get(id);
        if (!r) return false;
        const info = r.info?.isResourceRequest ? r.info : undefined;
        if (q.namespace !== undefined && info?.namespace !== q.namespace) return false;
        if (q.resource !== undefined && info?.resource !== q.resource) return false;
        if (q.decision !== undefined && r.decision?.effect !== q.decision) return false;
        return inPeriod(r.time, q.from, q.to);
      });
      if (!hit) continue;
    }
    matches.push(s);
  }
  matches.sort((a, b) => (a.lastTime < b.lastTime ? 1 : a.lastTime > b.lastTime ? -1 : a.sessionId.localeCompare(b.sessionId)));
  return { total: matches.length, sessions: matches.slice(0, q.limit).map((s) => summarize(model, s)) };
}

export function sessionDetail(model: ReadModel, sessionId: string): SessionDetail | undefined {
  const s = model.sessions.get(sessionId);
  if (!s) return undefined;
  const timeline: TimelineEntry[] = [];
  for (const id of s.requestIds) {
    const r = model.requests.get(id);
    if (r) timeline.push(requestTimeline(model, r));
  }
  return { ...summarize(model, s), subject: s.subject, groups: s.groups, timeline };
}
