import { Effects, type Effect, type SessionDetail, type SessionSummary, type TimelineEntry } from '@chaperone/contracts';
import { isChange, type ReadModel, type SessionView } from '../read-model';
import { requestTimeline } from '../replay/timeline';

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
  /** Where the previous page ended (its `next`): the sessions after it in the same order. */
  after?: SessionCursor;
}

/** A page's end: the last session's last-request time (epoch ms) and id. */
export interface SessionCursor {
  last: number;
  sessionId: string;
}

export function encodeCursor(c: SessionCursor): string {
  return Buffer.from(`${c.last}\n${c.sessionId}`, 'utf8').toString('base64url');
}

function decodeCursor(value: string): SessionCursor {
  const text = Buffer.from(value, 'base64url').toString('utf8');
  const nl = text.indexOf('\n');
  const last = Number(text.slice(0, nl));
  if (nl < 1 || !Number.isFinite(last) || text.length === nl + 1) throw new InvalidQuery('cursor must be the `next` value of a previous page');
  return { last, sessionId: text.slice(nl + 1) };
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
  const cursor = str('cursor');
  const out: SessionQuery = { limit, ...(cursor === undefined ? {} : { after: decodeCursor(cursor) }) };
  for (const k of ['agent', 'owner', 'namespace', 'resource'] as const) {
    const v = str(k);
    if (v !== undefined) out[k] = v;
  }
  if (decision) out.decision = decision as Effect;
  if (from) out.from = from;
  if (to) out.to = to;
  return out;
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

/** Most recent first: by last-request time, then by id (both descending, as the index is read from its end). */
const newerFirst = (a: SessionCursor, b: SessionCursor): number => b.last - a.last || (a.sessionId < b.sessionId ? 1 : a.sessionId > b.sessionId ? -1 : 0);

/**
 * Sessions matching every filter, most recent first, a page at a time (`limit` sessions after the
 * `after` cursor; `next` resumes after the last one). Request-level filters (namespace, resource,
 * decision, time) match a session when one of its requests matches all of them together. The
 * index gives the candidates; `total` counts every match, not just the page.
 */
export function searchSessions(model: ReadModel, q: SessionQuery): { total: number; sessions: SessionSummary[]; next?: string } {
  const { index } = model;
  const requestFilter = q.namespace !== undefined || q.resource !== undefined || q.decision !== undefined || q.from !== undefined || q.to !== undefined;
  const owned = q.owner === undefined ? undefined : new Set([...model.agents.values()].filter((a) => a.owner === q.owner).map((a) => a.agent));
  let candidates: ReadonlySet<string> | undefined = q.agent === undefined ? undefined : index.sessionsOf(q.agent);
  if (requestFilter) {
    const withRequest = index.sessionsWith({
      ...(q.namespace === undefined ? {} : { namespace: q.namespace }),
      ...(q.resource === undefined ? {} : { resource: q.resource }),
      ...(q.decision === undefined ? {} : { decision: q.decision }),
      ...(q.from === undefined ? {} : { from: Date.parse(q.from) }),
      ...(q.to === undefined ? {} : { to: Date.parse(q.to) }),
    });
    const bySession = candidates;
    candidates = bySession === undefined ? withRequest : new Set([...withRequest].filter((id) => bySession.has(id)));
  }
  const keep = (id: string): SessionView | undefined => {
    const s = model.sessions.get(id);
    return s && (q.agent === undefined || s.agent === q.agent) && (owned === undefined || owned.has(s.agent)) ? s : undefined;
  };
  const page: SessionView[] = [];
  let total = 0;
  let afterCursor = 0;
  const take = (key: SessionCursor, s: SessionView): void => {
    total++;
    if (q.after !== undefined && newerFirst(q.after, key) >= 0) return;
    afterCursor++;
    if (page.length < q.limit) page.push(s);
  };
  if (candidates === undefined) {
    // No narrowing list: the whole order, newest first.
    for (let i = index.recent.size - 1; i >= 0; i--) {
      const s = keep(index.recent.idAt(i));
      if (s) take({ last: index.recent.keyAt(i), sessionId: s.sessionId }, s);
    }
  } else {
    const keyed: [SessionCursor, SessionView][] = [];
    for (const id of candidates) {
      const s = keep(id);
      const last = index.lastOf(id);
      if (s && last !== undefined) keyed.push([{ last, sessionId: id }, s]);
    }
    keyed.sort((a, b) => newerFirst(a[0], b[0]));
    for (const [key, s] of keyed) take(key, s);
  }
  const lastShown = page.at(-1);
  const more = lastShown !== undefined && afterCursor > page.length;
  return { total, sessions: page.map((s) => summarize(model, s)), ...(more ? { next: encodeCursor({ last: index.lastOf(lastShown.sessionId) ?? 0, sessionId: lastShown.sessionId }) } : {}) };
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
