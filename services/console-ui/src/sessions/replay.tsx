import { useEffect, useState } from 'preact/hooks';
import { api } from '../api';
import { when } from '../format';
import { Recording } from './recording';
import type { BodyLink, Replay, ReplayStep } from './types';

function Body({ token, link, which }: { token: string; link: BodyLink | null; which: string }) {
  const [text, setText] = useState<string | undefined>();
  if (!link) return null;
  if (link.state !== 'stored' || !link.href) return <p class="muted">{which} body: {link.state === 'pruned' ? 'deleted by retention' : `digest only (${link.size} bytes)`}</p>;
  return (
    <details
      onToggle={(e) => {
        if ((e.target as HTMLDetailsElement).open && text === undefined) {
          fetch(`/api/${link.href?.replace(/^\//, '')}`, { headers: { authorization: `Bearer ${token}` } })
            .then(async (r) => setText(r.ok ? await r.text() : `could not be read (${r.status})`))
            .catch(() => setText('could not be read'));
        }
      }}
    >
      <summary>
        {which} body ({link.size} bytes, masked)
      </summary>
      <pre>{text ?? 'Loading…'}</pre>
    </details>
  );
}

const EFFECT: Record<string, string> = { allow: 'allowed', mask: 'masked', approve: 'approval', deny: 'denied' };

function Step({ token, s }: { token: string; s: ReplayStep }) {
  const e = s.entry;
  const effect = e.decision?.effect ?? 'none';
  return (
    <li class={`step effect-${effect}`}>
      <div class="step-head">
        <span class="step-no">{s.step}</span>
        <time dateTime={s.time}>{when(s.time)}</time>
        <span class={`badge ${effect}`}>{EFFECT[effect] ?? 'no decision'}</span>
      </div>
      <pre class="command">$ {s.command}</pre>
      <p class="outcome">{s.outcome}</p>
      {e.recording && <Recording token={token} link={e.recording} />}
      <details>
        <summary>Details</summary>
        <dl class="facts">
          <dt>Rule</dt>
          <dd>{e.decision ? `${e.decision.rule}${e.decision.reason ? ` — ${e.decision.reason}` : ''}` : '—'}</dd>
          <dt>Masked</dt>
          <dd>{e.maskedValues ? `${e.maskedValues} value${e.maskedValues === 1 ? '' : 's'}: ${e.maskedPaths.join(', ')}` : 'nothing'}</dd>
          <dt>Approval</dt>
          <dd>{e.approval ? `${e.approval.status}${e.approval.approvers.length ? ` by ${e.approval.approvers.join(', ')}` : ''}${e.approval.reason ? ` — ${e.approval.reason}` : ''}` : '—'}</dd>
          <dt>Outcome</dt>
          <dd>{e.status !== null ? `${e.status} ${e.outcome ?? ''}${e.latencyMs !== null ? `, ${Math.round(e.latencyMs)} ms` : ''}` : '—'}</dd>
          <dt>Request id</dt>
          <dd>
            <code>{s.requestId}</code>
          </dd>
        </dl>
        {s.notes.map((n) => (
          <p key={n} class="muted">
            {n}
          </p>
        ))}
        <Body token={token} link={e.bodies.request} which="Request" />
        <Body token={token} link={e.bodies.response} which="Response" />
      </details>
    </li>
  );
}

/** A session's replay: each request as its kubectl equivalent, with the decision, rule, approval and outcome. */
export function SessionReplay({ token, id, go }: { token: string; id: string; go: (path: string) => void }) {
  const [replay, setReplay] = useState<Replay | undefined>();
  const [error, setError] = useState<string | undefined>();
  useEffect(() => {
    api<Replay>(token, `/sessions/${encodeURIComponent(id)}/replay`)
      .then(setReplay)
      .catch((e: Error) => setError(e.message));
  }, [token, id]);
  return (
    <section aria-labelledby="replay-title">
      <p>
        <a
          href="/sessions"
          onClick={(e) => {
            e.preventDefault();
            go('/sessions');
          }}
        >
          ← Sessions
        </a>
      </p>
      <h1 id="replay-title">Session replay{replay ? `: ${replay.agent}` : ''}</h1>
      {replay && (
        <p class="muted">
          Owner {replay.owner ?? 'not registered'} · {replay.steps.length} request{replay.steps.length === 1 ? '' : 's'} · session <code>{replay.sessionId}</code>
        </p>
      )}
      {error && (
        <p role="alert" class="error">
          {error}
        </p>
      )}
      <ol class="timeline" data-testid="replay">
        {replay?.steps.map((s) => <Step key={s.requestId} token={token} s={s} />)}
      </ol>
    </section>
  );
}
