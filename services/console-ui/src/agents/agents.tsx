import { useEffect, useState } from 'preact/hooks';
import { api } from '../api';
import { ago, target, when } from '../format';
import { scopeText } from './scope';
import type { ComponentChildren } from 'preact';
import type { AgentApproval, AgentDenial, AgentRequestRef, AgentSummary } from './types';

function SessionLink({ id, go, children }: { id: string; go: (path: string) => void; children: string }) {
  const path = `/sessions/${encodeURIComponent(id)}`;
  return (
    <a
      href={path}
      onClick={(e) => {
        e.preventDefault();
        go(path);
      }}
    >
      {children}
    </a>
  );
}

/**
 * Recent requests of one kind as a table: when, what, the rule, what is particular to the kind
 * (`extra`, headed `extraTitle`), and a link to the session's replay.
 */
function Recent<T extends AgentRequestRef>(props: {
  list: T[];
  total: number;
  noun: string;
  extraTitle?: string;
  time: (x: T) => string;
  id: (x: T) => string;
  rule: (x: T) => ComponentChildren;
  extra?: (x: T) => ComponentChildren;
  go: (path: string) => void;
}) {
  const { list, total, noun, time, go } = props;
  return (
    <div class="table-wrap">
      <table>
        <caption class="muted">
          Latest {list.length} of {total} {noun}
          {total === 1 ? '' : 's'}
        </caption>
        <thead>
          <tr>
            {['When', 'Request', 'Rule', ...(props.extraTitle ? [props.extraTitle] : []), 'Session'].map((h) => (
              <th key={h} scope="col">
                {h}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {list.map((x) => (
            <tr key={props.id(x)}>
              <td>
                <time dateTime={time(x)}>{when(time(x))}</time>
              </td>
              <td>{target(x)}</td>
              <td>{props.rule(x)}</td>
              {props.extra && <td>{props.extra(x)}</td>}
              <td>
                <SessionLink id={x.sessionId} go={go}>
                  Replay
                </SessionLink>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function Denials({ list, total, go }: { list: AgentDenial[]; total: number; go: (path: string) => void }) {
  if (list.length === 0) return <p class="muted">No denied request.</p>;
  return (
    <Recent
      list={list}
      total={total}
      noun="denied request"
      time={(d) => d.time}
      id={(d) => d.requestId}
      rule={(d) => (
        <>
          {d.rule}
          {d.reason && <span class="muted"> — {d.reason}</span>}
        </>
      )}
      go={go}
    />
  );
}

function Approvals({ list, total, go }: { list: AgentApproval[]; total: number; go: (path: string) => void }) {
  if (list.length === 0) return <p class="muted">No approval asked for.</p>;
  return (
    <Recent
      list={list}
      total={total}
      noun="approval"
      extraTitle="Status"
      time={(a) => a.requestedAt}
      id={(a) => a.approvalId}
      rule={(a) => a.rule}
      extra={(a) => (
        <>
          <span class={`badge ${a.status}`}>{a.status}</span>
          {a.approvers.length > 0 && <span class="muted"> by {a.approvers.join(', ')}</span>}
        </>
      )}
      go={go}
    />
  );
}

function AgentCard({ a, go }: { a: AgentSummary; go: (path: string) => void }) {
  const id = `agent-${a.agent.replace(/[^A-Za-z0-9_-]/g, '_')}`;
  return (
    <li class="agent" aria-labelledby={id} data-testid="agent">
      <h2 id={id}>
        {a.agent} {!a.registered && <span class="badge deny">{a.removedAt ? 'removed' : 'not registered'}</span>}
      </h2>
      <dl class="facts">
        <dt>Owner</dt>
        <dd>{a.owner ?? '—'}</dd>
        <dt>Purpose</dt>
        <dd>{a.purpose ?? '—'}</dd>
        <dt>Scope</dt>
        <dd>{scopeText(a.scope)}</dd>
        <dt>Last seen</dt>
        <dd>{a.lastSeen ? <time dateTime={a.lastSeen}>{`${when(a.lastSeen)} (${ago(a.lastSeen)})`}</time> : 'never'}</dd>
        <dt>Activity</dt>
        <dd>
          {a.requests} request{a.requests === 1 ? '' : 's'} in {a.sessions} session{a.sessions === 1 ? '' : 's'}
        </dd>
        {a.registeredAt && (
          <>
            <dt>Registered</dt>
            <dd>
              {when(a.registeredAt)}
              {a.removedAt ? `, removed ${when(a.removedAt)}` : ''}
            </dd>
          </>
        )}
      </dl>
      <h3>Recent denials</h3>
      <Denials list={a.recentDenials} total={a.denials} go={go} />
      <h3>Recent approvals</h3>
      <Approvals list={a.recentApprovals} total={a.approvals} go={go} />
    </li>
  );
}

/** The agent registry: who owns each agent, what it is for and may do, and what it did lately. */
export function Agents({ token, go }: { token: string; go: (path: string) => void }) {
  const [agents, setAgents] = useState<AgentSummary[] | undefined>();
  const [error, setError] = useState<string | undefined>();
  const load = (): void => {
    setError(undefined);
    api<{ agents: AgentSummary[] }>(token, '/agents?recent=5')
      .then((r) => setAgents(r.agents))
      .catch((e: Error) => setError(e.message));
  };
  useEffect(load, [token]);
  return (
    <section aria-labelledby="agents-title">
      <h1 id="agents-title">Agents</h1>
      <p class="muted">The agent registry, with each agent’s latest denied requests and approvals. Agents that made requests without being registered are listed last.</p>
      <button onClick={load}>Refresh</button>
      {error && (
        <p role="alert" class="error">
          {error}
        </p>
      )}
      {agents && agents.length === 0 && <p class="empty">No agent is registered and none has made a request.</p>}
      <ul class="agents" data-testid="agents">
        {agents?.map((a) => <AgentCard key={a.agent} a={a} go={go} />)}
      </ul>
    </section>
  );
}
