import type { ChaperoneEvent, Effect, ExecSessionPayload, PortForwardPayload, RecordedBody, RequestEventIds, RequestInfo } from '@chaperone/contracts';
import { NONE, shared, sharedDecision, sharedInfo, sharedKey } from './shared-values';

/** Caps what one request keeps of masked paths (the event itself caps at 200). */
export const MAX_MASKED_PATHS = 200;

/** One Kubernetes request as its evidence events describe it, joined by requestId. */
export interface RequestView {
  requestId: string;
  sessionId: string;
  /** Producer time of the request's first event (the interception, normally). */
  time: string;
  agent: string;
  username: string;
  subject: string;
  method: string;
  path: string;
  query: string;
  upgrade: boolean;
  /** Null until RequestIntercepted is seen (or for requests that never authenticated). */
  info: RequestInfo | null;
  decision: { effect: Effect; rule: string; policyVersion: string; reason: string; matchedRules: string[] } | null;
  masking: { count: number; paths: string[]; detectors: Record<string, number>; profile: string; events: number } | null;
  completion: {
    outcome: string;
    status: number;
    durationMs: number;
    bytesOut: number;
    /** Digest and size; `stored` names the blob when the body was kept (masked, for the response). */
    requestBody?: RecordedBody;
    responseBody?: RecordedBody;
    /** The approval the request ran on (held or ticketed), when it needed one. */
    approvalId?: string;
  } | null;
  /** Bodies whose storing was deferred (the blob store was down when the request completed). */
  deferredBodies: { body: 'request' | 'response' | 'session'; storedDigest: string }[];
  /** Stored bodies deleted by retention (RecordingsPruned): `field` is the payload field (`requestBody`, `responseBody`, `recording`). */
  prunedBodies: { field: string; storedDigest: string; asOf: string; eventId: string }[];
  /** An exec or attach session: how it ended, its commands, and its recording's digest. */
  execSession: ExecSessionPayload | null;
  /** A port-forward: ports, bytes each way, duration. */
  portForward: PortForwardPayload | null;
  /** The evidence events of this request, for an auditor following the links. */
  eventIds: RequestEventIds;
}

/** A new, empty view for the first event seen of a request. */
export function newRequestView(e: ChaperoneEvent): RequestView {
  return {
    requestId: e.requestId,
    sessionId: e.sessionId,
    time: e.time,
    agent: e.identity?.agent ?? '',
    username: e.identity?.username ?? '',
    subject: e.identity?.subject ?? '',
    method: '',
    path: '',
    query: '',
    upgrade: false,
    info: null,
    decision: null,
    masking: null,
    completion: null,
    deferredBodies: [],
    prunedBodies: [],
    execSession: null,
    portForward: null,
    eventIds: { masking: [] },
  };
}

/**
 * The view as the model keeps it: the shared copy of every value many views repeat
 * (shared-values), and one empty list for the lists a view has none of. Applied where a view
 * enters the model (each step of the fold, each view of a loaded snapshot).
 */
export function withSharedValues(view: RequestView): RequestView {
  const masking = noneIfEmpty(view.eventIds.masking);
  return {
    ...view,
    sessionId: sharedKey(view.sessionId),
    agent: shared(view.agent),
    username: shared(view.username),
    subject: shared(view.subject),
    method: shared(view.method),
    path: sharedKey(view.path),
    query: sharedKey(view.query),
    info: view.info && sharedInfo(view.info),
    decision: view.decision && sharedDecision(view.decision),
    completion: view.completion && { ...view.completion, outcome: shared(view.completion.outcome) },
    deferredBodies: noneIfEmpty(view.deferredBodies),
    prunedBodies: noneIfEmpty(view.prunedBodies),
    eventIds: masking === view.eventIds.masking ? view.eventIds : { ...view.eventIds, masking },
  };
}

const noneIfEmpty = <T>(list: T[]): T[] => (list.length > 0 ? list : NONE);

/** Pure: the request view after one of its events. */
export function evolveRequest(view: RequestView, e: ChaperoneEvent): RequestView {
  switch (e.type) {
    case 'RequestIntercepted':
      return {
        ...view,
        time: e.time < view.time ? e.time : view.time,
        method: e.payload.method,
        path: e.payload.path,
        query: e.payload.query,
        upgrade: e.payload.upgrade,
        info: e.payload.request,
        eventIds: { ...view.eventIds, intercepted: e.eventId },
      };
    case 'PolicyDecided': {
      const d = e.payload.decision;
      return {
        ...view,
        decision: { effect: d.effect, rule: d.rule, policyVersion: d.policyVersion, reason: d.reason, matchedRules: d.matchedRules },
        eventIds: { ...view.eventIds, decided: e.eventId },
      };
    }
    case 'MaskingApplied': {
      // Watches and log streams may report masking more than once: the counts add up.
      const prev = view.masking;
      const detectors = { ...(prev?.detectors ?? {}) };
      for (const [k, n] of Object.entries(e.payload.detectors)) detectors[k] = (detectors[k] ?? 0) + n;
      return {
        ...view,
        masking: {
          count: (prev?.count ?? 0) + e.payload.count,
          paths: [...(prev?.paths ?? []), ...e.payload.paths].slice(0, MAX_MASKED_PATHS),
          detectors,
          profile: e.payload.profile,
          events: (prev?.events ?? 0) + 1,
        },
        eventIds: { ...view.eventIds, masking: [...view.eventIds.masking, e.eventId] },
      };
    }
    case 'RequestCompleted': {
      const p = e.payload;
      return {
        ...view,
        completion: {
          outcome: p.outcome,
          status: p.status,
          durationMs: p.durationMs,
          bytesOut: p.bytesOut,
          ...(p.requestBody ? { requestBody: p.requestBody } : {}),
          ...(p.responseBody ? { responseBody: p.responseBody } : {}),
          ...(p.approvalId ? { approvalId: p.approvalId } : {}),
        },
        eventIds: { ...view.eventIds, completed: e.eventId },
      };
    }
    case 'RequestOutcomeUnknown':
      // A reconciler closed a request whose RequestCompleted never came: it ended, how is not known.
      // A real completion, if one is stored, says more and is kept.
      if (view.completion) return view;
      return {
        ...view,
        completion: { outcome: 'unknown', status: 0, durationMs: 0, bytesOut: 0, ...(e.payload.approvalId ? { approvalId: e.payload.approvalId } : {}) },
        eventIds: { ...view.eventIds, completed: e.eventId },
      };
    case 'RecordingDeferred':
      return { ...view, deferredBodies: [...view.deferredBodies, { body: e.payload.body, storedDigest: e.payload.storedDigest }] };
    case 'RecordingsPruned': {
      // One prune lists bodies of many requests: this request keeps the entries that are its own.
      const mine = e.payload.bodies.filter((b) => b.requestId === view.requestId);
      if (mine.length === 0) return view;
      return {
        ...view,
        prunedBodies: [...view.prunedBodies, ...mine.map((b) => ({ field: b.field, storedDigest: b.storedDigest, asOf: e.payload.asOf, eventId: e.eventId }))],
      };
    }
    case 'ExecSessionRecorded':
      return { ...view, execSession: e.payload, eventIds: { ...view.eventIds, session: e.eventId } };
    case 'PortForwardRecorded':
      return { ...view, portForward: e.payload, eventIds: { ...view.eventIds, session: e.eventId } };
    case 'AuthenticationFailed':
    case 'McpToolCalled':
      // Kept apart (AuthenticationFailed: no identity; McpToolCalled: a tool call, not a request).
      return view;
    default: {
      const unhandled: never = e;
      return unhandled;
    }
  }
}

/** Verbs that change the cluster (CC8.1). Upgrades (exec, attach, port-forward) are `create` on a subresource. */
export const CHANGE_VERBS: ReadonlySet<string> = new Set(['create', 'update', 'patch', 'delete', 'deletecollection']);

export function isChange(r: RequestView): boolean {
  return r.info?.isResourceRequest === true && CHANGE_VERBS.has(r.info.verb);
}

export function isSecretRead(r: RequestView): boolean {
  return r.info?.isResourceRequest === true && r.info.resource === 'secrets' && ['get', 'list', 'watch'].includes(r.info.verb);
}
