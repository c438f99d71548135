import { useEffect, useState } from 'preact/hooks';
import { api, followApprovals } from '../api';
import { ago, target, when } from '../format';
import { usePages, type Page } from '../paging';
import { ApprovalPanel } from './approval-detail';
import { progress, type ApprovalView } from './types';

type Tab = 'pending' | 'history';

/**
 * The approvals inbox: pending approvals first (oldest first: they expire first), a page at a time
 * with the count of all that wait, kept current by the live stream without a reload; a history of
 * decided ones, newest first, with filters; bulk decisions.
 */
export function Inbox({ token }: { token: string }) {
  const [tab, setTab] = useState<Tab>('pending');
  const [version, setVersion] = useState(0);
  const [live, setLive] = useState(false);
  const [open, setOpen] = useState<string | undefined>();
  const [selected, setSelected] = useState<ReadonlySet<string>>(new Set());
  const [filter, setFilter] = useState({ agent: '', namespace: '', rule: '' });
  const [bulkReason, setBulkReason] = useState('');
  const [bulkResult, setBulkResult] = useState<string | undefined>();
  const [draft, setDraft] = useState(filter);
  const [focusRow, setFocusRow] = useState<number | undefined>();

  const { page, error, loading, more, refresh } = usePages<ApprovalView>(
    (limit, cursor) => {
      // The history's filters are the API's (exact values), so they hold across pages.
      const q = new URLSearchParams(tab === 'pending' ? { status: 'pending' } : { status: 'decided', order: 'newest' });
      if (tab === 'history') for (const [k, v] of Object.entries(filter)) if (v.trim()) q.set(k, v.trim());
      q.set('limit', String(limit));
      if (cursor) q.set('cursor', cursor);
      return api<Page<ApprovalView>>(token, `/approvals?${q}`);
    },
    (a) => a.approvalId,
    [token, tab, filter],
  );
  const items = page?.items;
  const shown = items ?? [];

  useEffect(() => followApprovals(token, () => setVersion((v) => v + 1), setLive), [token]);
  useEffect(() => {
    if (version > 0) void refresh();
  }, [version]);

  // "Show more" moves the keyboard to the first row it added.
  useEffect(() => {
    if (focusRow === undefined || shown.length <= focusRow) return;
    document.querySelectorAll<HTMLButtonElement>('[data-testid="approval-list"] button.row')[focusRow]?.focus();
    setFocusRow(undefined);
  }, [shown.length, focusRow]);
  const showMore = (): void => {
    setFocusRow(shown.length);
    void more();
  };

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
              {t === 'pending' ? `Pending${page && tab === 'pending' ? ` (${page.total})` : ''}` : 'History'}
            </button>
          ))}
        </div>
        {tab === 'history' && (
          <form
            class="filters"
            onSubmit={(e) => {
              e.preventDefault();
              setFilter(draft);
            }}
            aria-label="Filter the history"
          >
            {(['agent', 'namespace', 'rule'] as const).map((k) => (
              <label key={k}>
                {k[0]?.toUpperCase() + k.slice(1)}
                <input value={draft[k]} placeholder="exact name" onInput={(e) => setDraft({ ...draft, [k]: (e.target as HTMLInputElement).value })} />
              </label>
            ))}
            <button type="submit">Filter</button>
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
          {shown.map((a) => (
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
        {page?.next && (
          <button class="more" onClick={showMore} aria-busy={loading}>
            {loading ? 'Loading…' : `Show more (${shown.length} of ${page.total} shown)`}
          </button>
        )}
      </section>
      {open ? <ApprovalPanel key={open} token={token} id={open} version={version} onDecided={() => setVersion((v) => v + 1)} /> : <section class="panel empty-panel muted">Choose an approval to see what it would change.</section>}
    </div>
  );
}
