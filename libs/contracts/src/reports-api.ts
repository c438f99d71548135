import type { AgentScope } from './agent-registry';

/**
 * Answers of the reports API that other programs read (the console's pages): shapes only, the
 * reports service builds them from its read model.
 */

/**
 * An exec or attach session's recording (ExecSessionRecorded.recording, an asciicast v2 file,
 * masked when it was stored), as timelines link it:
 * - `stored`: in the blob store (`href` serves it; `deferred` when the ingress had to store it later);
 * - `pruned`: deleted by retention (`prunedAsOf`).
 */
export interface RecordingLink {
  state: 'stored' | 'pruned';
  format: 'asciicast-v2';
  digest: string;
  size: number;
  /** Events past CHAPERONE_EXEC_RECORDING_MAX_BYTES were not recorded. */
  truncated: boolean;
  deferred?: boolean;
  prunedAsOf?: string;
  /** The recording route of the reports API, relative to its root; only while the blob is stored. */
  href?: string;
}

/** What an agent's request asked for, and in which session (for the replay link). */
export interface AgentRequestRef {
  sessionId: string;
  verb: string;
  /** With its subresource: `pods/exec`. */
  resource: string;
  namespace: string;
  name: string;
  rule: string;
}

/** A denied request (decision `deny`), as GET /agents lists it. */
export interface AgentDenial extends AgentRequestRef {
  time: string;
  requestId: string;
  reason: string;
}

/** An approval the agent's request asked for, as GET /agents lists it. */
export interface AgentApproval extends AgentRequestRef {
  approvalId: string;
  requestedAt: string;
  status: string;
  approvers: string[];
  decidedAt: string | null;
}

/** One agent of the registry (or seen without being registered), with what it did lately (GET /agents). */
export interface AgentSummary {
  agent: string;
  /** False for an agent that made requests but is not (or no longer) in the registry. */
  registered: boolean;
  owner: string | null;
  purpose: string | null;
  scope: AgentScope | null;
  registeredAt: string | null;
  removedAt: string | null;
  /** The last request of any of its sessions; null when it never made one. */
  lastSeen: string | null;
  sessions: number;
  requests: number;
  denials: number;
  approvals: number;
  /** The most recent first, at most `recent` of each. */
  recentDenials: AgentDenial[];
  recentApprovals: AgentApproval[];
}
