import { ownerOf, type ReadModel, type RequestView } from '../read-model';

export interface IdentityRow {
  agent: string;
  username: string;
  subject: string;
  groups: string;
  owner: string;
  registered: boolean;
  firstSeen: string;
  lastSeen: string;
  sessions: number;
  requests: number;
  /** MCP tool calls made in the period. */
  toolCalls: number;
}

/** CC6.1: who acted in the period (agent and token subject), who owns them, with their sessions, requests and tool calls. */
export function identityRows(model: ReadModel, requests: readonly RequestView[], inPeriod: (time: string) => boolean): IdentityRow[] {
  const identities = new Map<string, IdentityRow & { sessionIds: Set<string> }>();
  for (const r of requests) {
    const key = `${r.agent}\u0000${r.subject}`;
    let row = identities.get(key);
    if (!row) {
      const session = model.sessions.get(r.sessionId);
      row = {
        agent: r.agent,
        username: r.username,
        subject: r.subject,
        groups: (session?.groups ?? []).join(' '),
        owner: ownerOf(model, r.agent) ?? '',
        registered: model.agents.has(r.agent),
        firstSeen: r.time,
        lastSeen: r.time,
        sessions: 0,
        requests: 0,
        toolCalls: 0,
        sessionIds: new Set(),
      };
      identities.set(key, row);
    }
    row.requests++;
    row.sessionIds.add(r.sessionId);
    row.lastSeen = r.time;
  }
  for (const row of identities.values()) {
    for (const id of row.sessionIds) for (const call of model.sessions.get(id)?.toolCalls ?? []) if (inPeriod(call.time)) row.toolCalls++;
  }
  return [...identities.values()]
    .map(({ sessionIds, ...row }) => ({ ...row, sessions: sessionIds.size }))
    .sort((a, b) => a.agent.localeCompare(b.agent) || a.subject.localeCompare(b.subject));
}
