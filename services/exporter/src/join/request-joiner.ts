import {
  ChaperoneEventSchema,
  type AuthenticationFailed,
  type ChaperoneEvent,
  type MaskingApplied,
  type PolicyDecided,
  type RequestCompleted,
  type RequestIntercepted,
  type RequestOutcomeUnknown,
} from '@chaperone/contracts';

/** Where an event sits in the store. */
export interface Positioned {
  globalPosition: number;
  stream: string;
  eventId: string;
  recordedAt: string;
}

/**
 * One request, joined by requestId from the events of its session stream: what an export record
 * is made of. `completed` is always there (a request is exported when it ends); the others are
 * there when their events were read (a request whose interception was read before the follower's
 * checkpoint, and dropped as stale, is exported with what remains).
 */
export interface CompletedRequest {
  kind: 'request';
  requestId: string;
  sessionId: string;
  intercepted?: RequestIntercepted;
  decided?: PolicyDecided;
  masked?: MaskingApplied;
  completed: RequestCompleted;
  /** Where its RequestCompleted sits: the record's place in the export order. */
  at: Positioned;
}

/** A request that never authenticated: one event, exported as it is read. */
export interface RefusedAuthentication {
  kind: 'authentication-failed';
  requestId: string;
  sessionId: string;
  failed: AuthenticationFailed;
  at: Positioned;
}

/**
 * A request whose completion will never come (its gateway stopped before recording how it ended):
 * closed by the reconciler's RequestOutcomeUnknown, exported so that the gap is visible downstream.
 */
export interface UnfinishedRequest {
  kind: 'outcome-unknown';
  requestId: string;
  sessionId: string;
  intercepted?: RequestIntercepted;
  decided?: PolicyDecided;
  masked?: MaskingApplied;
  unknown: RequestOutcomeUnknown;
  at: Positioned;
}

export type ExportRecord = CompletedRequest | UnfinishedRequest | RefusedAuthentication;

interface Pending {
  firstPosition: number;
  /** Event time of the first event read (RFC 3339), to drop requests that never complete. */
  firstTime: number;
  intercepted?: RequestIntercepted;
  decided?: PolicyDecided;
  masked?: MaskingApplied;
}

export interface JoinerState {
  pending: Map<string, Pending>;
}

export const initialJoinerState = (): JoinerState => ({ pending: new Map() });

const REQUEST_TYPES: ReadonlySet<string> = new Set(ChaperoneEventSchema.options.map((o) => o.shape.type.value));

/** A stored event typed and validated where it enters this process; undefined for other streams' events and invalid ones. */
export function toChaperoneEvent(type: string, data: unknown): ChaperoneEvent | undefined {
  if (!REQUEST_TYPES.has(type)) return undefined;
  const parsed = ChaperoneEventSchema.safeParse(data);
  return parsed.success && parsed.data.type === type ? parsed.data : undefined;
}

/**
 * Feeds one evidence event into the join; returns the record it completes, if any. The session
 * stream holds a request's interception and decision before its completion, and the store's global
 * order keeps each stream's order, so one pass in global order sees them in that order.
 */
export function join(state: JoinerState, event: ChaperoneEvent, at: Positioned): ExportRecord | undefined {
  const time = Date.parse(event.time);
  const pendingOf = (): Pending => {
    let p = state.pending.get(event.requestId);
    if (!p) state.pending.set(event.requestId, (p = { firstPosition: at.globalPosition, firstTime: Number.isNaN(time) ? 0 : time }));
    return p;
  };
  switch (event.type) {
    case 'RequestIntercepted':
      pendingOf().intercepted = event;
      return undefined;
    case 'PolicyDecided':
      pendingOf().decided = event;
      return undefined;
    case 'MaskingApplied':
      pendingOf().masked = event;
      return undefined;
    case 'RecordingDeferred':
    case 'ExecSessionRecorded':
    case 'PortForwardRecorded':
      // Session recordings and deferred bodies add nothing to the request's audit record; its
      // completion (written when the session ends) closes it.
      return undefined;
    case 'McpToolCalled':
      // A tool call names its requests; each request's own record is complete without it.
      return undefined;
    case 'RecordingsPruned':
      // A retention run (stream `recordings`), not part of any request's record.
      return undefined;
    case 'AuthenticationFailed':
      return { kind: 'authentication-failed', requestId: event.requestId, sessionId: event.sessionId, failed: event, at };
    case 'RequestCompleted':
      return { kind: 'request', ...close(state, event), completed: event, at };
    case 'RequestOutcomeUnknown':
      return { kind: 'outcome-unknown', ...close(state, event), unknown: event, at };
    default: {
      const unhandled: never = event;
      return unhandled;
    }
  }
}

/** The parts read so far of the request `last` ends, which is then no longer open. */
function close(state: JoinerState, last: ChaperoneEvent): Pick<CompletedRequest, 'requestId' | 'sessionId' | 'intercepted' | 'decided' | 'masked'> {
  const p = state.pending.get(last.requestId);
  state.pending.delete(last.requestId);
  return {
    requestId: last.requestId,
    sessionId: last.sessionId,
    ...(p?.intercepted ? { intercepted: p.intercepted } : {}),
    ...(p?.decided ? { decided: p.decided } : {}),
    ...(p?.masked ? { masked: p.masked } : {}),
  };
}

/**
 * Forgets requests whose first event is older than `maxAgeMs` before `now` (event time): a request
 * the ingress never completed (it crashed) must not hold the checkpoint back forever. Returns the
 * ids dropped.
 */
export function dropStale(state: JoinerState, now: number, maxAgeMs: number): string[] {
  const dropped: string[] = [];
  for (const [id, p] of state.pending) {
    if (now - p.firstTime > maxAgeMs) {
      state.pending.delete(id);
      dropped.push(id);
    }
  }
  return dropped;
}

/**
 * Where a restarted follower must read from so that no record loses its parts: the first event of
 * the oldest request still open, or just after the last event read when none is.
 */
export function resumePosition(state: JoinerState, lastRead: number): number {
  let from = lastRead + 1;
  for (const p of state.pending.values()) from = Math.min(from, p.firstPosition);
  return from;
}
