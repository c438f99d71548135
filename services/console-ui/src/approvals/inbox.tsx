import { useEffect, useMemo, useState } from 'preact/hooks';
import { api, followApprovals } from '../api';
import { ago, target, when } from '../format';
import { ApprovalPanel } from './approval-detail';
import { progress, type ApprovalView } from './types';

type Tab = 'pending' | 'history';

/** Rows rendered at once: the first screenful paints at once, the rest follow in the next frames. */
const FIRST_ROWS = 100;

/**
 * The approvals inbox: pending approvals first (oldest first: they expire first), kept current by
 * the live stream without a reload; a history of decided ones with filters; bulk decisions.
 */
export function Inbox({ token }: { token: string }) {
  const [tab, setTab] = useState<Tab>('pending');
  const [items, setItems] = useState<ApprovalView[] | undefined>();
  const [error, setError] = useState<string | undefined>();
  const [version, setVersion] = useState(0);
  const [live, setLive] = useState(false);
  const [open, setOpen] = useState<string | undefined>();
  const [selected, setSelected] = useState<ReadonlySet<string>>(new Set());
  const [filter, setFilter] = useState({ agent: '', namespace: '', rule: '' });
  const [bulkReason, setBulkReason] = useState('');
  const [bulkResult, setBulkResult] = useState<string | undefined>();
  const [rows, setRows] = useState(FIRST_ROWS);

  useEffect(() => followApprovals(token, () => setVersion((v) => v + 1), setLive), [token]);

  useEffect(() => {
    let current = true;
    api<{ items: ApprovalView[] }>(token, `/approvals?status=${tab === 'pending' ? 'pending' : 'all'}`)
      .then((r) => current && (setItems(r.items), setError(undefined)))
      .catch((e: Error) => current && setError(e.message));
    return () => {
      current = false;
    };
  }, [token, tab, version]);

  const shown = useMemo(() => {
    const list = (items ?? []).filter((a) => (tab === 'pending' ? a.status === 'pending' : a.status !== 'pending'));
    const f = (v: string, want: string) => !want || v.toLowerCase().includes(want.toLowerCase());
    const filtered = tab === 'history' ? list.filter((a) => f(a.requester.agent ?? a.requester.username, filter.agent) && f(a.request.namespace, filter.namespace) && f(a.rule, filter.rule)) : list;
    return tab === 'history' ? [...filtered].reverse() : filtered;
  }, [items, tab, filter]);

  // A long inbox (hundreds pending) renders in steps so that the first rows paint without waiting for the last.
  useEffect(() => {
    if (rows >= shown.length) return;
    const t = setTimeout(() => setRows((r) => r * 4), 0);
    return () => clearTimeout(t);
  }, [rows, shown.length]);

  const toggle = (id: string): void => {
    const next = new Set(selected);
    if (next.has(id)) next.delete(id);
    else next.add(id);
    setSelected(next);
  };

  const bulk = async (verb: 'approve' | 'deny'): Promise<void> => {
    const ids = [...selected];
    const results = await Promise.allSettled(ids.map((id) => api(token, `/approvals/${encodeURIComponent(id)}/${verb}`, { method: 'POST', body: { reason: bulkReason } })));
    const failed = results.map((r, i) => (r.status === 'rejected' ? `${ids[i]?.slice(0, 8)}: ${(r.reason as Error).message}` : '')).filter(Boolean);
    setBulkResult(`${ids.length - failed.length} of ${ids.length} ${verb === 'approve' ? 'approved' : 'denied'}${failed.length ? ` — refused: ${failed.join('; ')}` : ''}`);
    setSelected(new Set());
    setVersion((v) => v + 1);
  };

  return (
    <div class="split">
      <section aria-labelledby="inbox-title" class="list">
        <header class="list-head">
          <h1 id="inbox-title">Approvals</h1>
          <span class={`live ${live ? 'on' : 'off'}`} role="status" aria-live="polite">
            {live ? 'Live' : 'Reconnecting…'}
          </span>
        </header>
        <div role="tablist" class="tabs" aria-label="Approvals">
          {(['pending', 'history'] as const).map((t) => (
            <button key={t} role="tab" aria-selected={tab === t} onClick={() => (setTab(t), setSelected(new Set()), setOpen(undefined))}>
              {t === 'pending' ? `Pending${items && tab === 'pending' ? ` (${shown.length})` : ''}` : 'History'}
            </button>
          ))}
        </div>
        {tab === 'history' && (
          <form class="filters" onSubmit={(e) => e.preventDefault()} aria-label="Filter the history">
            {(['agent', 'namespace', 'rule'] as const).map((k) => (
              <label key={k}>
                {k[0]?.toUpperCase() + k.slice(1)}
                <input value={filter[k]} onInput={(e) => setFilter({ ...filter, [k]: (e.target as HTMLInputElement).value })} />
              </label>
            ))}
          </form>
        )}
        {tab === 'pending' && selected.size > 0 && (
          <div class="bulk" role="group" aria-label="Decide the selected approvals">
            <span>{selected.size} selected</span>
            <input aria-label="Reason for the selected" placeholder="Reason" value={bulkReason} onInput={(e) => setBulkReason((e.target as HTMLInputElement).value)} />
            <button class="approve" disabled={!bulkReason.trim()} onClick={() => void bulk('approve')}>
              Approve selected
            </button>
            <button class="deny" disabled={!bulkReason.trim()} onClick={() => void bulk('deny')}>
              Deny selected
            </button>
          </div>
        )}
        {bulkResult && (
          <p role="status" class="muted">
            {bulkResult}
          </p>
        )}
        {error && (
          <p role="alert" class="error">
            {error}
          </p>
        )}
        {!items && !error && <p class="muted">Loading…</p>}
        {items && shown.length === 0 && <p class="empty">{tab === 'pending' ? 'Nothing waits for you.' : 'No decided approvals match.'}</p>}
        <ul class="approvals" data-testid="approval-list">
          {shown.slice(0, rows).map((a) => (
            <li key={a.approvalId} class={open === a.approvalId ? 'open' : ''} data-approval-id={a.approvalId}>
              {tab === 'pending' && (
                <input type="checkbox" aria-label={`Select ${target(a.request)}`} checked={selected.has(a.approvalId)} onChange={() => toggle(a.approvalId)} />
              )}
              <button class="row" onClick={() => setOpen(a.approvalId)} aria-expanded={open === a.approvalId}>
                <span class="what">{target(a.request)}</span>
                <span class="who">
                  {a.requester.agent ?? a.requester.username} · rule {a.rule}
                </span>
                <span class="when">
                  {tab === 'pending' ? `${ago(a.createdAt)} · ${progress(a)}` : `${when(a.createdAt)} · `}
                  {tab === 'history' && <span class={`badge ${a.status}`}>{a.status}</span>}
                </span>
              </button>
            </li>
          ))}
        </ul>
      </section>
      {open ? <ApprovalPanel key={open} token={token} id={open} version={version} onDecided={() => setVersion((v) => v + 1)} /> : <section class="panel empty-panel muted">Choose an approval to see what it would change.</section>}
    </div>
  );
}
