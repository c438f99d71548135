import { createHash } from 'node:crypto';
import { perRequestTable } from '@chaperone/bus';
import type { Identity, RequestOutcomeUnknown } from '@chaperone/contracts';
import type { EventTags } from '@chaperone/event-store';
import { RequestTag } from './request-tags';
import { fieldsOf, textOf } from './stored-fields';

/**
 * Which requests the gateway let through and never closed, and which of those to close with an
 * explicit RequestOutcomeUnknown. Pure: the store's events come in (`evolve`, in global order),
 * commands go out (`decide`); time, liveness and ids are parameters.
 *
 * A request is open from a stored PolicyDecided that lets it proceed (allow, mask, approve) until
 * its RequestCompleted or RequestOutcomeUnknown is stored. The events come as their tags
 * (request-tags.ts), not their data. It is closed as outcome-unknown when:
 * - the ingress replica holding it (the intercept's `gateway`) has stopped announcing
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

/**
 * A request let through and not ended. Only what judging it needs: who it is (session, identity,
 * trace) is read from its stored decision when it is closed.
 */
export interface OpenRequest {
  requestId: string;
  /** The store stream holding its events (session-…), the decision's revision in it and its global position. */
  stream: string;
  decisionRevision: number;
  decisionPosition: number;
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

/** A stored event as the reconciler follows it: where it is, its type and its tags (request-tags.ts). */
export interface StoredEvent {
  stream: string;
  revision: number;
  globalPosition: number;
  type: string;
  tags: EventTags;
}

export function evolve(state: OpenRequests, e: StoredEvent): OpenRequests {
  state.position = Math.max(state.position, e.globalPosition);
  const t = e.tags;
  const requestId = t[RequestTag.request];
  if (!requestId) return state;
  switch (e.type) {
    case 'RequestIntercepted':
      state.intercepts[requestId] = { gateway: t[RequestTag.gateway], streaming: t[RequestTag.streaming] === '1', position: e.globalPosition, at: Date.parse(t[RequestTag.at] ?? '') };
      return state;
    case 'PolicyDecided': {
      const intercept = state.intercepts[requestId];
      delete state.intercepts[requestId];
      const effect = t[RequestTag.effect] ?? '';
      if (!PROCEEDING.has(effect) || requestId in state.open) return state;
      state.open[requestId] = {
        requestId,
        stream: e.stream,
        decisionRevision: e.revision,
        decisionPosition: e.globalPosition,
        effect,
        gateway: intercept?.gateway,
        streaming: intercept?.streaming ?? false,
        decidedAt: Date.parse(t[RequestTag.at] ?? ''),
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

/** One request to close, why, and where its decision is stored. */
export interface Closing {
  requestId: string;
  reason: string;
  stream: string;
  decisionRevision: number;
  decisionPosition: number;
  decidedAt: number;
}

/** The requests to close now, oldest decision first. Forgets stale intercepts. */
export function decide(state: OpenRequests, cmd: ReconcileCommand): Closing[] {
  for (const id in state.intercepts) if (!(cmd.now - (state.intercepts[id] as InterceptSeen).at < cmd.forgetInterceptsAfterMs)) delete state.intercepts[id];
  const out: Closing[] = [];
  for (const r of Object.values(state.open)) {
    const reason = whyClose(r, cmd);
    if (reason === undefined) continue;
    out.push({ requestId: r.requestId, reason, stream: r.stream, decisionRevision: r.decisionRevision, decisionPosition: r.decisionPosition, decidedAt: r.decidedAt });
  }
  return out.sort((a, b) => a.decidedAt - b.decidedAt);
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

/**
 * The RequestOutcomeUnknown that closes a request, from its stored PolicyDecided (the data the
 * audit service stored: the decision event as published), whose session, trace and identity it
 * carries.
 */
export function outcomeUnknown(closing: Closing, decision: { eventId: string; data: unknown }, now: number): RequestOutcomeUnknown {
  const d = fieldsOf(decision.data);
  return {
    eventId: outcomeUnknownEventId(closing.requestId),
    schemaVersion: 1,
    time: new Date(now).toISOString(),
    requestId: closing.requestId,
    sessionId: textOf(d['sessionId']),
    traceId: textOf(d['traceId']),
    identity: (d['identity'] as Identity | null | undefined) ?? null,
    type: 'RequestOutcomeUnknown',
    payload: { reason: closing.reason, decisionEventId: decision.eventId, reachedCluster: 'unknown' },
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
