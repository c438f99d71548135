import type { Effect } from '@chaperone/contracts';
import type { RequestView } from './request-view';
import { sharedList } from './shared-values';
import { SortedKeys } from './sorted-keys';

/** The fields of a session the index reads (SessionView's). */
interface SessionView {
  sessionId: string;
  agent: string;
  lastTime: string;
}

/** What a session search filters a request on. */
export interface RequestTerms {
  namespace?: string;
  resource?: string;
  decision?: Effect;
}

/** The request-level part of a search: every given term, and the time in [from, to), on one request. */
export interface RequestFilter extends RequestTerms {
  /** Epoch milliseconds. */
  from?: number;
  to?: number;
}

interface Indexed {
  sessionId: string;
  at: number;
  terms: readonly string[];
}

const term = (field: keyof RequestTerms, value: string): string => `${field}\u0000${value}`;

/** A request's terms: one shared list for the requests that have the same (a handful of combinations). */
function termsOf(r: RequestView): readonly string[] {
  const out: string[] = [];
  const info = r.info?.isResourceRequest ? r.info : undefined;
  if (info) out.push(term('namespace', info.namespace), term('resource', info.resource));
  if (r.decision) out.push(term('decision', r.decision.effect));
  return sharedList(out);
}

/**
 * The sessions read model's search index, kept by the fold as events are applied (and rebuilt from
 * the views when a snapshot is loaded; it is never stored): requests by term (namespace, resource,
 * decision) and by time, sessions by agent and by their last request. A search reads the smallest
 * of those lists instead of every request of every session.
 */
export class SessionIndex {
  /** The index of views already folded (a loaded snapshot). */
  static of(sessions: Iterable<SessionView>, requests: Iterable<RequestView>): SessionIndex {
    const index = new SessionIndex();
    // Each session and request comes once, in whatever order the snapshot holds them: sorted once.
    index.byTime.unsealed();
    index.recent.unsealed();
    for (const s of sessions) index.session(s.sessionId, s.agent, s.lastTime);
    for (const r of requests) index.request(r);
    index.byTime.seal();
    index.recent.seal();
    return index;
  }

  private readonly requests = new Map<string, Indexed>();
  private readonly postings = new Map<string, Set<string>>();
  /** term → session → how many of its requests have it: a one-term search reads sessions, not requests. */
  private readonly sessionTerms = new Map<string, Map<string, number>>();
  private readonly byTime = new SortedKeys();
  private readonly agentSessions = new Map<string, Set<string>>();
  private readonly sessionLast = new Map<string, number>();
  /** Sessions by the time of their last request: read from the end for most recent first. */
  readonly recent = new SortedKeys();

  /** A session was created or its time span widened. */
  session(sessionId: string, agent: string, lastTime: string): void {
    const last = Date.parse(lastTime);
    const known = this.sessionLast.get(sessionId);
    if (known === last) return;
    if (known === undefined) {
      let set = this.agentSessions.get(agent);
      if (!set) this.agentSessions.set(agent, (set = new Set()));
      set.add(sessionId);
    } else this.recent.remove(known, sessionId);
    this.recent.insert(last, sessionId);
    this.sessionLast.set(sessionId, last);
  }

  /**
   * A request was created or evolved: its terms and time are read again. Its later events (the
   * decision, the completion) keep its time and most of its terms, so only what changed moves: no
   * splice in the time order, no posting removed to be added back.
   */
  request(r: RequestView): void {
    const at = Date.parse(r.time);
    const terms = termsOf(r);
    const known = this.requests.get(r.requestId);
    if (!known) {
      this.requests.set(r.requestId, { sessionId: r.sessionId, at, terms });
      this.byTime.insert(at, r.requestId);
      for (const t of terms) this.addTerm(t, r.requestId, r.sessionId);
      return;
    }
    if (known.at !== at) {
      this.byTime.remove(known.at, r.requestId);
      this.byTime.insert(at, r.requestId);
      known.at = at;
    }
    const sameSession = known.sessionId === r.sessionId;
    for (const t of known.terms) if (!sameSession || !terms.includes(t)) this.removeTerm(t, r.requestId, known.sessionId);
    for (const t of terms) if (!sameSession || !known.terms.includes(t)) this.addTerm(t, r.requestId, r.sessionId);
    known.terms = terms;
    known.sessionId = r.sessionId;
  }

  private addTerm(t: string, requestId: string, sessionId: string): void {
    let set = this.postings.get(t);
    if (!set) this.postings.set(t, (set = new Set()));
    set.add(requestId);
    this.countSession(t, sessionId, 1);
  }

  private removeTerm(t: string, requestId: string, sessionId: string): void {
    this.postings.get(t)?.delete(requestId);
    this.countSession(t, sessionId, -1);
  }

  private countSession(t: string, sessionId: string, by: 1 | -1): void {
    let counts = this.sessionTerms.get(t);
    if (!counts) this.sessionTerms.set(t, (counts = new Map()));
    const n = (counts.get(sessionId) ?? 0) + by;
    if (n > 0) counts.set(sessionId, n);
    else counts.delete(sessionId);
  }

  /** Sessions of this agent (none for an unknown one). */
  sessionsOf(agent: string): ReadonlySet<string> {
    return this.agentSessions.get(agent) ?? new Set();
  }

  /** The last-request time of a session (epoch ms), the key `recent` orders it by. */
  lastOf(sessionId: string): number | undefined {
    return this.sessionLast.get(sessionId);
  }

  /**
   * Sessions with at least one request matching every part of the filter. Walks the shortest list
   * that must contain each match (one term's requests, or the requests of the time range) and
   * checks the other parts on each request there.
   */
  sessionsWith(f: RequestFilter): Set<string> {
    const wanted: string[] = [];
    for (const field of ['namespace', 'resource', 'decision'] as const) {
      const v = f[field];
      if (v !== undefined) wanted.push(term(field, v));
    }
    const from = f.from ?? -Infinity;
    const to = f.to ?? Infinity;
    const only = wanted.length === 1 && f.from === undefined && f.to === undefined ? wanted[0] : undefined;
    if (only !== undefined) return new Set(this.sessionTerms.get(only)?.keys());
    const out = new Set<string>();
    const matches = (id: string): void => {
      const r = this.requests.get(id);
      if (r && r.at >= from && r.at < to && wanted.every((t) => r.terms.includes(t))) out.add(r.sessionId);
    };
    let shortest: Set<string> | undefined;
    for (const t of wanted) {
      const p = this.postings.get(t);
      if (!p) return out;
      if (!shortest || p.size < shortest.size) shortest = p;
    }
    const { start, end } = this.byTime.range(from, to);
    if (shortest && shortest.size <= end - start) for (const id of shortest) matches(id);
    else for (let i = start; i < end; i++) matches(this.byTime.idAt(i));
    return out;
  }
}
