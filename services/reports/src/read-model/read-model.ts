import { EvidenceStreams, type AgentScope, type ChaperoneEvent, type ToolCallView } from '@chaperone/contracts';
import type { RecordedEvent } from '@chaperone/event-store';
import { evolveApproval, newApprovalView, type ApprovalView } from './approval-view';
import { toEvidenceEvent, type EvidenceEvent } from './evidence-event';
import { evolveRequest, newRequestView, withSharedValues, type RequestView } from './request-view';
import { SessionIndex } from './session-index';

/** Bump when the read model's shape or meaning changes: older snapshots are then ignored (rebuilt). */
export const READ_MODEL_SCHEMA = 4;

export interface SessionView {
  sessionId: string;
  agent: string;
  username: string;
  subject: string;
  groups: string[];
  firstTime: string;
  lastTime: string;
  /** In the order the session's stream holds them (interception order). */
  requestIds: string[];
  /** MCP tool calls made in the session, in stream order (each names the requests it caused). */
  toolCalls?: ToolCallView[];
}

export interface AgentRecord {
  agent: string;
  owner: string;
  purpose: string;
  scope: AgentScope;
  registeredAt: string;
  /** Set when the agent was removed (and not registered again since). */
  removedAt?: string;
}

export interface RegistryEntry {
  change: 'registered' | 'updated' | 'removed';
  agent: string;
  owner: string;
  purpose: string;
  /** Where the change came from (the agents file and its digest). */
  source: string;
  at: string;
  eventId: string;
}

export interface AuthFailureView {
  time: string;
  reason: string;
  method: string;
  path: string;
  sourceAddress: string;
  eventId: string;
}

/**
 * Everything the sessions, replay and SOC 2 views read, built by one fold over the store's global
 * order. Maps, not objects, so ids from tokens (`__proto__`…) are only ever keys.
 */
export interface ReadModel {
  schema: typeof READ_MODEL_SCHEMA;
  /** The checkpoint: global position of the last event applied (0 = none). */
  position: number;
  /** Ids of the events applied at `position`: the events of one append may share it, and a reader resumes at it. */
  atPosition: string[];
  /** Events applied (every type, including those no view reads). */
  applied: number;
  sessions: Map<string, SessionView>;
  requests: Map<string, RequestView>;
  approvals: Map<string, ApprovalView>;
  /** requestId (held or executed) → approvalId. */
  approvalByRequest: Map<string, string>;
  agents: Map<string, AgentRecord>;
  registry: RegistryEntry[];
  authFailures: AuthFailureView[];
  /** Approval lifecycle events whose ApprovalRequested was not seen (should stay 0). */
  orphanApprovalEvents: number;
  /** Stored events of a known type that do not match their contract. */
  invalid: { position: number; stream: string; eventId: string; type: string }[];
  /** Types no view reads (e.g. chain checkpoints), by count. */
  otherTypes: Map<string, number>;
  /** The session search's index over sessions and requests: derived from them, never snapshotted. */
  index: SessionIndex;
}

export function emptyReadModel(): ReadModel {
  return {
    schema: READ_MODEL_SCHEMA,
    position: 0,
    atPosition: [],
    applied: 0,
    sessions: new Map(),
    requests: new Map(),
    approvals: new Map(),
    approvalByRequest: new Map(),
    agents: new Map(),
    registry: [],
    authFailures: [],
    orphanApprovalEvents: 0,
    invalid: [],
    otherTypes: new Map(),
    index: new SessionIndex(),
  };
}

/**
 * The fold step. Idempotent by global position and event id: an event before the checkpoint, or
 * at it and applied already (a redelivery, a catch-up that overlaps a snapshot), changes nothing. Entity views evolve through pure functions
 * (evolveRequest, evolveApproval); the collections are updated in place because the model owns them
 * and copying a million-event model per event would be quadratic.
 */
export function applyRecorded(model: ReadModel, recorded: RecordedEvent): ReadModel {
  if (recorded.globalPosition < model.position) return model;
  if (recorded.globalPosition === model.position && appliedAtPosition(model, recorded.eventId)) return model;
  applyEvidence(model, toEvidenceEvent(recorded));
  if (recorded.globalPosition !== model.position) {
    model.position = recorded.globalPosition;
    model.atPosition = [];
  }
  model.atPosition.push(recorded.eventId);
  atPositionIds.get(model.atPosition)?.add(recorded.eventId);
  model.applied++;
  return model;
}

/**
 * `atPosition` as a set, per array: the events of one stored message (up to 256) share its
 * position, and looking each one up in the array made folding a message quadratic. Rebuilt when the
 * array was replaced or changed elsewhere (its length no longer the set's size).
 */
const atPositionIds = new WeakMap<readonly string[], Set<string>>();

function appliedAtPosition(model: ReadModel, eventId: string): boolean {
  const applied = model.atPosition;
  let ids = atPositionIds.get(applied);
  if (ids === undefined || ids.size !== applied.length) {
    ids = new Set(applied);
    atPositionIds.set(applied, ids);
  }
  return ids.has(eventId);
}

function applyEvidence(model: ReadModel, ev: EvidenceEvent): void {
  switch (ev.kind) {
    case 'request': {
      const e = ev.event;
      if (e.type === 'AuthenticationFailed') {
        const p = e.payload;
        model.authFailures.push({ time: e.time, reason: p.reason, method: p.method, path: p.path, sourceAddress: p.sourceAddress, eventId: e.eventId });
        return;
      }
      if (e.type === 'RecordingsPruned') {
        // A retention run, not a request: it updates the requests whose bodies it lists, and only
        // from the stream prunes are written to (the same type elsewhere explains nothing).
        if (ev.stream !== EvidenceStreams.recordings) {
          model.invalid.push({ position: ev.position, stream: ev.stream, eventId: ev.eventId, type: e.type });
          return;
        }
        for (const requestId of new Set(e.payload.bodies.map((b) => b.requestId))) {
          const view = model.requests.get(requestId);
          if (view) model.requests.set(requestId, withSharedValues(evolveRequest(view, e)));
        }
        return;
      }
      if (e.type === 'McpToolCalled') {
        const session = sessionOf(model, e);
        const p = e.payload;
        (session.toolCalls ??= []).push({ toolCallId: e.requestId, time: e.time, tool: p.tool, arguments: p.arguments, requestIds: p.requestIds, outcome: p.outcome, ...(p.message ? { message: p.message } : {}), eventId: e.eventId });
        return;
      }
      const prev = model.requests.get(e.requestId);
      const next = withSharedValues(evolveRequest(prev ?? newRequestView(e), e));
      model.requests.set(e.requestId, next);
      model.index.request(next);
      if (e.type === 'RequestCompleted' && e.payload.approvalId) model.approvalByRequest.set(e.requestId, e.payload.approvalId);
      const session = sessionOf(model, e);
      if (!prev) session.requestIds.push(e.requestId);
      return;
    }
    case 'approval': {
      const e = ev.event;
      const id = e.data.approvalId;
      if (e.type === 'ApprovalRequested') {
        if (model.approvals.has(id)) return;
        const view = newApprovalView(e);
        model.approvals.set(id, { ...view, eventIds: [ev.eventId] });
        model.approvalByRequest.set(view.requestId, id);
        return;
      }
      const view = model.approvals.get(id);
      if (!view) {
        model.orphanApprovalEvents++;
        return;
      }
      const next = evolveApproval(view, e);
      model.approvals.set(id, { ...next, eventIds: [...view.eventIds, ev.eventId] });
      if (e.type === 'ApprovalExecuted') model.approvalByRequest.set(e.data.requestId, id);
      return;
    }
    case 'registry': {
      const e = ev.event;
      const known = model.agents.get(e.agent);
      switch (e.type) {
        case 'AgentRegistered':
        case 'AgentUpdated':
          model.agents.set(e.agent, { agent: e.agent, owner: e.owner, purpose: e.purpose, scope: e.scope, registeredAt: known && !known.removedAt ? known.registeredAt : e.time });
          model.registry.push({ change: e.type === 'AgentRegistered' ? 'registered' : 'updated', agent: e.agent, owner: e.owner, purpose: e.purpose, source: e.source, at: e.time, eventId: ev.eventId });
          return;
        case 'AgentRemoved':
          if (known) model.agents.set(e.agent, { ...known, removedAt: e.time });
          model.registry.push({ change: 'removed', agent: e.agent, owner: e.owner, purpose: known?.purpose ?? '', source: e.source, at: e.time, eventId: ev.eventId });
          return;
        default: {
          const unhandled: never = e;
          throw new Error(`unhandled registry event ${JSON.stringify(unhandled)}`);
        }
      }
    }
    case 'other':
      model.otherTypes.set(ev.type, (model.otherTypes.get(ev.type) ?? 0) + 1);
      return;
    case 'invalid':
      model.invalid.push({ position: ev.position, stream: ev.stream, eventId: ev.eventId, type: ev.type });
      return;
    default: {
      const unhandled: never = ev;
      throw new Error(`unhandled evidence event ${JSON.stringify(unhandled)}`);
    }
  }
}

/** The event's session view (created at its first event), its time span widened to the event. */
function sessionOf(model: ReadModel, e: ChaperoneEvent): SessionView {
  let session = model.sessions.get(e.sessionId);
  if (!session) {
    session = {
      sessionId: e.sessionId,
      agent: e.identity?.agent ?? '',
      username: e.identity?.username ?? '',
      subject: e.identity?.subject ?? '',
      groups: e.identity?.groups ?? [],
      firstTime: e.time,
      lastTime: e.time,
      requestIds: [],
    };
    model.sessions.set(e.sessionId, session);
  }
  if (e.time < session.firstTime) session.firstTime = e.time;
  if (e.time > session.lastTime) session.lastTime = e.time;
  model.index.session(session.sessionId, session.agent, session.lastTime);
  return session;
}

/** The owner of an agent per the registry; undefined for an agent that was never registered. */
export function ownerOf(model: ReadModel, agent: string): string | undefined {
  return model.agents.get(agent)?.owner;
}
