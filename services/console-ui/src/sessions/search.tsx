import { useState } from 'preact/hooks';
import { api } from '../api';
import { when } from '../format';
import { usePages } from '../paging';
import type { SessionSummary } from './types';

const FIELDS = ['agent', 'owner', 'namespace', 'resource'] as const;
type Query = Record<(typeof FIELDS)[number] | 'decision' | 'from' | 'to', string>;
const EMPTY: Query = { agent: '', owner: '', namespace: '', resource: '', decision: '', from: '', to: '' };

/**
 * Sessions: search by agent, owner, namespace, resource, decision and time, most recent first, a
 * page at a time; each opens as a replay.
 */
export function SessionSearch({ token, go }: { token: string; go: (path: string) => void }) {
  const [q, setQ] = useState<Query>(EMPTY);
  // Each submit is a new search, even with the same filters (the history grows meanwhile).
  const [submitted, setSubmitted] = useState<{ query: Query }>({ query: EMPTY });
  const { page, error, loading, more } = usePages<SessionSummary>(
    async (limit, cursor) => {
      const params = new URLSearchParams({ limit: String(limit) });
      for (const [k, v] of Object.entries(submitted.query)) {
        if (!v) continue;
        // datetime-local has no zone: it is the reader's local time.
        params.set(k, k === 'from' || k === 'to' ? new Date(v).toISOString() : v);
      }
      if (cursor) params.set('cursor', cursor);
      const r = await api<{ total: number; sessions: SessionSummary[]; next?: string }>(token, `/sessions?${params}`);
      return { items: r.sessions, total: r.total, next: r.next };
    },
    (s) => s.sessionId,
    [token, submitted],
  );
  const result = page && { total: page.total, sessions: page.items };

  const set = (k: keyof Query) => (e: Event) => setQ({ ...q, [k]: (e.target as HTMLInputElement).value });
  return (
    <section aria-labelledby="sessions-title">
      <h1 id="sessions-title">Sessions</h1>
      <form
        class="filters wide"
        aria-label="Search sessions"
        onSubmit={(e) => {
          e.preventDefault();
          setSubmitted({ query: q });
        }}
      >
        {FIELDS.map((k) => (
          <label key={k}>
            {k[0]?.toUpperCase() + k.slice(1)}
            <input name={k} value={q[k]} onInput={set(k)} />
          </label>
        ))}
        <label>
          Decision
          <select name="decision" value={q.decision} onChange={set('decision')}>
            <option value="">any</option>
            <option value="allow">allowed</option>
            <option value="mask">masked</option>
            <option value="approve">needed approval</option>
            <option value="deny">denied</option>
          </select>
        </label>
        <label>
          From
          <input type="datetime-local" name="from" value={q.from} onInput={set('from')} />
        </label>
        <label>
          To
          <input type="datetime-local" name="to" value={q.to} onInput={set('to')} />
        </label>
        <button type="submit">Search</button>
      </form>
      {error && (
        <p role="alert" class="error">
          {error}
        </p>
      )}
      {result && (
        <>
          <p class="muted" role="status">
            {result.total === 1 ? '1 session' : `${result.total} sessions`}
            {result.total > result.sessions.length ? `, the ${result.sessions.length} most recent shown` : ''}
          </p>
          <div class="table-wrap">
            <table class="sessions">
              <thead>
                <tr>
                  <th scope="col">Agent</th>
                  <th scope="col">Owner</th>
                  <th scope="col">Last request</th>
                  <th scope="col">Requests</th>
                  <th scope="col">Changes</th>
                  <th scope="col">Denied</th>
                  <th scope="col">Masked values</th>
                </tr>
              </thead>
              <tbody>
                {result.sessions.map((s) => (
                  <tr key={s.sessionId}>
                    <td>
                      <a
                        href={`/sessions/${encodeURIComponent(s.sessionId)}`}
                        onClick={(e) => {
                          e.preventDefault();
                          go(`/sessions/${encodeURIComponent(s.sessionId)}`);
                        }}
                      >
                        {s.agent || s.username}
                      </a>
                    </td>
                    <td>{s.owner ?? <span class="muted">not registered</span>}</td>
                    <td>{when(s.lastTime)}</td>
                    <td class="num">{s.requests}</td>
                    <td class="num">{s.changes}</td>
                    <td class="num">{s.decisions['deny'] ?? 0}</td>
                    <td class="num">{s.maskedValues}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          {page?.next && (
            <button class="more" onClick={() => void more()} aria-busy={loading}>
              {loading ? 'Loading…' : 'Show more sessions'}
            </button>
          )}
        </>
      )}
    </section>
  );
}
