import { useEffect, useState } from 'preact/hooks';
import { api } from '../api';
import { when } from '../format';
import type { SessionSummary } from './types';

const FIELDS = ['agent', 'owner', 'namespace', 'resource'] as const;
type Query = Record<(typeof FIELDS)[number] | 'decision' | 'from' | 'to', string>;
const EMPTY: Query = { agent: '', owner: '', namespace: '', resource: '', decision: '', from: '', to: '' };

/** Sessions: search by agent, owner, namespace, resource, decision and time; each opens as a replay. */
export function SessionSearch({ token, go }: { token: string; go: (path: string) => void }) {
  const [q, setQ] = useState<Query>(EMPTY);
  const [result, setResult] = useState<{ total: number; sessions: SessionSummary[] } | undefined>();
  const [error, setError] = useState<string | undefined>();

  const search = async (query: Query): Promise<void> => {
    const params = new URLSearchParams({ limit: '200' });
    for (const [k, v] of Object.entries(query)) {
      if (!v) continue;
      // datetime-local has no zone: it is the reader's local time.
      params.set(k, k === 'from' || k === 'to' ? new Date(v).toISOString() : v);
    }
    try {
      setResult(await api(token, `/sessions?${params}`));
      setError(undefined);
    } catch (e) {
      setError((e as Error).message);
    }
  };
  useEffect(() => void search(EMPTY), [token]);

  const set = (k: keyof Query) => (e: Event) => setQ({ ...q, [k]: (e.target as HTMLInputElement).value });
  return (
    <section aria-labelledby="sessions-title">
      <h1 id="sessions-title">Sessions</h1>
      <form
        class="filters wide"
        aria-label="Search sessions"
        onSubmit={(e) => {
          e.preventDefault();
          void search(q);
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
        </>
      )}
    </section>
  );
}
