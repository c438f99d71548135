import { useEffect, useState } from 'preact/hooks';
import { api } from '../api';
import { ago, target, when } from '../format';
import { progress, type ApprovalDetail, type Change } from './types';

const show = (v: unknown): string => (v === undefined ? '' : typeof v === 'string' ? v : JSON.stringify(v));

function pretty(text: string): string {
  try {
    return JSON.stringify(JSON.parse(text), null, 2);
  } catch {
    return text;
  }
}

function DiffTable({ changes }: { changes: Change[] }) {
  if (changes.length === 0) return <p class="muted">No field changes.</p>;
  return (
    <table class="diff">
      <thead>
        <tr>
          <th scope="col">Field</th>
          <th scope="col">Now</th>
          <th scope="col">After</th>
        </tr>
      </thead>
      <tbody>
        {changes.map((c) => (
          <tr key={c.path} class={`op-${c.op}`}>
            <td>
              <code>{c.path}</code>
            </td>
            <td class="from">
              <code>{show(c.from)}</code>
            </td>
            <td class="to">
              <code>{show(c.to)}</code>
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** One approval: what the agent asks, the masked body, the live object and the diff; approve or deny with a reason. */
export function ApprovalPanel({ token, id, version, onDecided }: { token: string; id: string; version: number; onDecided: () => void }) {
  const [detail, setDetail] = useState<ApprovalDetail | undefined>();
  const [error, setError] = useState<string | undefined>();
  const [reason, setReason] = useState('');
  const [busy, setBusy] = useState(false);
  const [outcome, setOutcome] = useState<string | undefined>();

  useEffect(() => {
    let live = true;
    api<ApprovalDetail>(token, `/approvals/${encodeURIComponent(id)}`)
      .then((d) => live && (setDetail(d), setError(undefined)))
      .catch((e: Error) => live && setError(e.message));
    return () => {
      live = false;
    };
  }, [token, id, version]);

  const decide = async (verb: 'approve' | 'deny'): Promise<void> => {
    setBusy(true);
    setError(undefined);
    try {
      const v = await api<{ status: string }>(token, `/approvals/${encodeURIComponent(id)}/${verb}`, { method: 'POST', body: { reason } });
      setOutcome(verb === 'approve' ? `Approved: the approval is now ${v.status}.` : 'Denied.');
      setReason('');
      onDecided();
    } catch (e) {
      setError((e as Error).message);
    } finally {
      setBusy(false);
    }
  };

  if (!detail) return <section class="panel" aria-busy="true">{error ? <p role="alert" class="error">{error}</p> : <p class="muted">Loading…</p>}</section>;
  const a = detail.approval;
  return (
    <section class="panel" aria-labelledby="detail-title" data-testid="approval-detail">
      <h2 id="detail-title">{target(a.request)}</h2>
      <dl class="facts">
        <dt>Agent</dt>
        <dd>
          {a.requester.agent ?? a.requester.username} <span class="muted">(as {a.requester.username})</span>
        </dd>
        <dt>Rule</dt>
        <dd>{a.rule}</dd>
        <dt>Agent's reason</dt>
        <dd>{a.reason || <span class="muted">none given</span>}</dd>
        <dt>Requested</dt>
        <dd>
          {when(a.createdAt)} <span class="muted">({ago(a.createdAt)})</span>
        </dd>
        <dt>Expires</dt>
        <dd>{when(a.expiresAt)}</dd>
        <dt>Status</dt>
        <dd>
          <span class={`badge ${a.status}`}>{a.status}</span> {progress(a)}
          {a.votes.length > 0 && <span class="muted"> — {a.votes.map((v) => `${v.approver.username}: “${v.reason}”`).join('; ')}</span>}
        </dd>
        <dt>API call</dt>
        <dd>
          <code>
            {detail.request.method} {detail.request.path}
            {detail.request.query ? `?${detail.request.query}` : ''}
          </code>
        </dd>
      </dl>
      {detail.body && (
        <details open>
          <summary>Request body (masked, {detail.body.size} bytes)</summary>
          <pre>{pretty(detail.body.masked)}</pre>
        </details>
      )}
      {detail.diff.available ? (
        <details open>
          <summary>Change to the live object{detail.diff.approximated ? ' (approximated)' : ''}</summary>
          <DiffTable changes={detail.diff.changes} />
        </details>
      ) : (
        <p class="muted">{detail.diff.reason}</p>
      )}
      {detail.liveObject && (
        <details>
          <summary>Live object when held (masked)</summary>
          <pre>{pretty(detail.liveObject.masked)}</pre>
        </details>
      )}
      {a.status === 'pending' && (
        <form
          class="decide"
          onSubmit={(e) => {
            e.preventDefault();
            void decide('approve');
          }}
        >
          <label for="reason">Your reason</label>
          <input id="reason" name="reason" value={reason} required onInput={(e) => setReason((e.target as HTMLInputElement).value)} placeholder="e.g. restart agreed in #ops" />
          <div class="buttons">
            <button type="submit" class="approve" disabled={busy}>
              Approve
            </button>
            <button type="button" class="deny" disabled={busy || !reason.trim()} onClick={() => void decide('deny')}>
              Deny
            </button>
          </div>
        </form>
      )}
      {outcome && (
        <p role="status" class="ok">
          {outcome}
        </p>
      )}
      {error && (
        <p role="alert" class="error">
          {error}
        </p>
      )}
    </section>
  );
}
