import type { McpToolCalled } from './events';
import type { Effect } from './decision';
import type { AgentScope } from './agent-registry';

/**
 * The reports API's answers (GET /sessions, /sessions/{id}, /sessions/{id}/replay, /agents), written once
 * here so the reports service that sends them and the CLI and console that read them cannot drift.
 */

/**
 * What the evidence says about one body of a request, for readers following the link:
 * - `stored`: a blob was kept (`href` serves it; `deferred` when the ingress had to store it later);
 * - `pruned`: it was kept, then deleted by retention (`prunedAsOf`);
 * - `digest-only`: the rule recorded its digest and size, not its bytes.
 */
export interface BodyLink {
  state: 'stored' | 'pruned' | 'digest-only';
  /** The whole body's digest and size (also when only a part was kept). */
  digest: string;
  size: number;
  stored?: { digest: string; size: number; truncated: boolean; timed: boolean };
  deferred?: boolean;
  prunedAsOf?: string;
  /** The body route of the reports API, relative to its root; only while the blob is stored. */
  href?: string;
}

/** The ids of the stored events that make up one request: the links an auditor follows into the store. */
export interface RequestEventIds {
  intercepted?: string;
  decided?: string;
  completed?: string;
  masking: string[];
  session?: string;
}

/** What a request acted on, as the reports show it ('' for what a non-resource request has not). */
export interface RequestTarget {
  verb: string;
  apiGroup: string;
  resource: string;
  subresource: string;
  namespace: string;
  name: string;
}

/** One request of a session's timeline, as GET /sessions/{id} returns it. */
export interface TimelineEntry extends RequestTarget {
  requestId: string;
  time: string;
  method: string;
  path: string;
  query: string;
  decision: { effect: string; rule: string; policyVersion: string; reason: string } | null;
  maskedValues: number;
  maskedPaths: string[];
  approval: { approvalId: string; status: string; approvers: string[]; reason: string } | null;
  outcome: string | null;
  status: number | null;
  latencyMs: number | null;
  /** The request body's digest, when recorded. */
  requestBody: string | null;
  /** What was recorded of each body, and where to read it while it is stored. */
  bodies: { request: BodyLink | null; response: BodyLink | null };
  /** An exec or attach session's asciicast recording, and where to read it while it is stored. */
  recording: RecordingLink | null;
  eventIds: RequestEventIds;
}

/** One session in GET /sessions. */
export interface SessionSummary {
  sessionId: string;
  agent: string;
  owner: string | null;
  username: string;
  firstTime: string;
  lastTime: string;
  requests: number;
  /** Requests that change the cluster (create, update, patch, delete; CC8.1), whatever their decision. */
  changes: number;
  decisions: Record<Effect, number>;
  maskedValues: number;
}

/** GET /sessions/{id}. */
export interface SessionDetail extends SessionSummary {
  subject: string;
  groups: string[];
  timeline: TimelineEntry[];
}

/** An MCP tool call of a session, as recorded (its arguments masked). */
export interface ToolCallView {
  toolCallId: string;
  time: string;
  tool: string;
  /** As recorded: masked. */
  arguments: Record<string, unknown>;
  requestIds: string[];
  outcome: McpToolCalled['payload']['outcome'];
  message?: string;
  eventId: string;
}

/** One step of GET /sessions/{id}/replay: a request as the kubectl command that sent it. */
export interface ReplayStep {
  step: number;
  time: string;
  requestId: string;
  command: string;
  notes: string[];
  /** One line: status, decision and rule, masking, approval. */
  outcome: string;
  entry: TimelineEntry;
  /** The MCP tool call that sent this request, on the first request of each call. */
  toolCall?: ToolCallView;
}

/** GET /sessions/{id}/replay. */
export interface Replay {
  sessionId: string;
  agent: string;
  owner: string | null;
  steps: ReplayStep[];
}

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
