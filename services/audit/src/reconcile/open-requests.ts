import { createHash } from 'node:crypto';
import { perRequestTable } from '@chaperone/bus';
import type { Identity, RequestOutcomeUnknown } from '@chaperone/contracts';

/**
 * Which requests the gateway let through and never closed, and which of those to close with an
 * explicit RequestOutcomeUnknown. Pure: the store's events come in (`evolve`, in global order),
 * commands go out (`decide`); time, liveness and ids are parameters.
 *
 * A request is open from a stored PolicyDecided that lets it proceed (allow, mask, approve) until
 * its RequestCompleted or RequestOutcomeUnknown is stored. It is closed as outcome-unknown when:
 * - the ingress replica holding it (RequestIntercepted.payload.gateway) has stopped announcing
 *   itself: the process that owed its completion is gone; or
 * - it is a bounded request (not a watch, a followed log or an upgrade, not held for an approval)
 *   and no completion came `maxRequestMs` after its decision: its replica lives but lost it.
 * The event id is derived from the request id, so the same request is never closed twice, whoever
 * decides it (two reconcilers, a restart, a redelivery).
 */

/** What the reconciler remembers of an intercept until the decision (one write: usually the next event). */
export interface InterceptSeen {
  gateway: string | undefined;
  /** A watch, a followed log or an upgrade: it may rightly run for hours. */
  streaming: boolean;
  /** Global position of the RequestIntercepted: where a restarted reconciler must read from. */
  position: number;
  /** Epoch ms of the intercept (its producer's time), for pruning what never got a decision. */
  at: number;
}

export interface OpenRequest {
  requestId: string;
  sessionId: string;
  traceId: string;
  identity: Identity | null;
  /** The store stream holding its events (session-…), and the decision's revision in it. */
  stream: string;
  decisionRevision: number;
  decisionEventId: string;
  effect: string;
  gateway: string | undefined;
  streaming: boolean;
  /** Epoch ms of the decision (its producer's time). */
  decidedAt: number;
  /** The earliest global position a restarted reconciler needs to see this request again. */
  position: number;
}

/**
 * The open requests. `evolve` updates it in place: the reconciler follows every stored event and
 * a copy per event would cost more than the whole check; nothing else holds a reference to it.
 * Both collections gain and lose an entry per request: per-request tables (perRequestTable).
 */
export interface OpenRequests {
  /** requestId → its intercept, until the decision. */
  intercepts: Record<string, InterceptSeen>;
  /** requestId → the request, from a proceeding decision until its end. */
  open: Record<string, OpenRequest>;
  /** Global position of the last event seen. */
  position: number;
}

export const initialOpenRequests = (): OpenRequests => ({ intercepts: perRequestTable(), open: perRequestTable(), position: 0 });

/** Effects that let a request proceed towards the cluster (deny never does). */
const PROCEEDING: ReadonlySet<string> = new Set(['allow', 'mask', 'approve']);

/** A stored event, as the store delivers it (RecordedEvent's fields the reconciler reads). */
export interface StoredEvent {
  stream: string;
  revision: number;
  globalPosition: number;
  type: string;
  data: unknown;
}

type Data = Record<string, unknown>;
const obj = (v: unknown): Data => (v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Data) : {});
const str = (v: unknown): string => (typeof v === 'string' ? v : '');

/** Streams: a watch, `logs -f` (follow), or an upgraded session (exec, attach, port-forward). */
function isStreaming(payload: Data): boolean {
  if (payload['upgrade'] === true) return true;
  if (str(obj(payload['request'])['verb']) === 'watch') return true;
  const query = new URLSearchParams(str(payload['query']));
  return ['watch', 'follow'].some((k) => ['true', '1'].includes(query.get(k) ?? ''));
}

export function evolve(state: OpenRequests, e: StoredEvent): OpenRequests {
  state.position = Math.max(state.position, e.globalPosition);
  const d = obj(e.data);
  const requestId = str(d['requestId']);
  if (!requestId) return state;
  switch (e.type) {
    case 'RequestIntercepted': {
      const payload = obj(d['payload']);
      const gateway = str(payload['gateway']) || undefined;
      state.intercepts[requestId] = { gateway, streaming: isStreaming(payload), position: e.globalPosition, at: Date.parse(str(d['time'])) };
      return state;
    }
    case 'PolicyDecided': {
      const intercept = state.intercepts[requestId];
      delete state.intercepts[requestId];
      const effect = str(obj(obj(d['payload'])['decision'])['effect']);
      if (!PROCEEDING.has(effect) || requestId in state.open) return state;
      state.open[requestId] = {
        requestId,
        sessionId: str(d['sessionId']),
        traceId: str(d['traceId']),
        identity: (d['identity'] as Identity | null | undefined) ?? null,
        stream: e.stream,
        decisionRevision: e.revision,
        decisionEventId: str(d['eventId']),
        effect,
        gateway: intercept?.gateway,
        streaming: intercept?.streaming ?? false,
        decidedAt: Date.parse(str(d['time'])),
        position: intercept?.position ?? e.globalPosition,
      };
      return state;
    }
    case 'RequestCompleted':
    case 'RequestOutcomeUnknown':
      delete state.intercepts[requestId];
      delete state.open[requestId];
      return state;
    default:
      return state;
  }
}

export interface ReconcileCommand {
  /** Epoch ms. */
  now: number;
  /** Ingress replicas that stopped announcing themselves, with how long (ms) they have been silent. */
  gone: ReadonlyMap<string, number>;
  /** A bounded request with no completion this long after its decision is closed. */
  maxRequestMs: number;
  /** Intercepts never decided are forgotten after this (the request was refused or never forwarded). */
  forgetInterceptsAfterMs: number;
}

/** One request to close: the event to store and where its stream's events after the decision are. */
export interface Closing {
  event: RequestOutcomeUnknown;
  stream: string;
  decisionRevision: number;
}

/** The requests to close now (their RequestOutcomeUnknown), oldest first. Forgets stale intercepts. */
export function decide(state: OpenRequests, cmd: ReconcileCommand): Closing[] {
  for (const id in state.intercepts) if (!(cmd.now - (state.intercepts[id] as InterceptSeen).at < cmd.forgetInterceptsAfterMs)) delete state.intercepts[id];
  const out: Closing[] = [];
  for (const r of Object.values(state.open)) {
    const reason = whyClose(r, cmd);
    if (reason === undefined) continue;
    out.push({ event: outcomeUnknown(r, reason, cmd.now), stream: r.stream, decisionRevision: r.decisionRevision });
  }
  return out.sort((a, b) => a.event.time.localeCompare(b.event.time));
}

function whyClose(r: OpenRequest, cmd: ReconcileCommand): string | undefined {
  const silent = r.gateway === undefined ? undefined : cmd.gone.get(r.gateway);
  if (silent !== undefined) {
    return `the ingress replica ${r.gateway} that held the request stopped (no announcement for ${(silent / 1000).toFixed(0)} s) before recording how it ended`;
  }
  const age = cmd.now - r.decidedAt;
  // A stream may rightly run for hours, a held request waits for a human; a bounded one may not.
  if (!r.streaming && r.effect !== 'approve' && age >= cmd.maxRequestMs) {
    return `no RequestCompleted ${(age / 1000).toFixed(0)} s after the decision (bound ${(cmd.maxRequestMs / 1000).toFixed(0)} s for a request that is not a stream)`;
  }
  return undefined;
}

function outcomeUnknown(r: OpenRequest, reason: string, now: number): RequestOutcomeUnknown {
  return {
    eventId: outcomeUnknownEventId(r.requestId),
    schemaVersion: 1,
    time: new Date(now).toISOString(),
    requestId: r.requestId,
    sessionId: r.sessionId,
    traceId: r.traceId,
    identity: r.identity,
    type: 'RequestOutcomeUnknown',
    payload: { reason, decisionEventId: r.decisionEventId || undefined, reachedCluster: 'unknown' },
  };
}

/**
 * The one event id a request's RequestOutcomeUnknown can have: a UUID (version 8, RFC 9562) from
 * SHA-256 of the request id. Two reconcilers closing the same request write the same event, which
 * the bus (message id) and the store (event id) keep once.
 */
export function outcomeUnknownEventId(requestId: string): string {
  const h = createHash('sha256').update(`RequestOutcomeUnknown\n${requestId}`).digest();
  h[6] = ((h[6] as number) & 0x0f) | 0x80;
  h[8] = ((h[8] as number) & 0x3f) | 0x80;
  const x = h.subarray(0, 16).toString('hex');
  return `${x.slice(0, 8)}-${x.slice(8, 12)}-${x.slice(12, 16)}-${x.slice(16, 20)}-${x.slice(20, 32)}`;
}

/** Where a reconciler that starts again must read from to see every request still open. */
export function resumePosition(state: OpenRequests): number {
  // At the last position itself: the events of one append share it, and evolve takes one again unchanged.
  let from = Math.max(state.position, 1);
  for (const i of Object.values(state.intercepts)) from = Math.min(from, i.position);
  for (const r of Object.values(state.open)) from = Math.min(from, r.position);
  return from;
}
