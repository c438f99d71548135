import type { ApprovalLifecycleEventType, ChaperoneEventType, Effect } from '@chaperone/contracts';
import type { RecordedEventLike } from './verify';

/**
 * Completeness of the evidence: every request that was let through (a stored PolicyDecided with
 * effect allow, mask or approve, or a claimed grant: ApprovalExecuted) must end with a stored
 * RequestCompleted, or a reconciler's RequestOutcomeUnknown; every grant a held request waited for
 * must be claimed. A gap means a gateway stopped between "may proceed" and "this is how it ended":
 * the cluster may have acted with no record of the result.
 *
 * The store is followed in one pass, keeping only requests and approvals that are still open, so
 * memory is proportional to what is in flight, not to the store. Events of one request are not
 * always stored in the order they happened (the decision and the interception come from different
 * processes, a grant's claim is in another stream than its request), so an event may arrive for a
 * request already closed; whatever looks incomplete after the pass is checked once more against
 * the whole store (`settle`) before it is reported.
 */

/** Effects that let a request proceed towards the cluster (deny never does). */
const PROCEEDING: ReadonlySet<string> = new Set<Effect>(['allow', 'mask', 'approve']);

const T = {
  intercepted: 'RequestIntercepted',
  decided: 'PolicyDecided',
  completed: 'RequestCompleted',
  outcomeUnknown: 'RequestOutcomeUnknown',
} as const satisfies Record<string, ChaperoneEventType>;

const A = {
  requested: 'ApprovalRequested',
  granted: 'ApprovalGranted',
  denied: 'ApprovalDenied',
  expired: 'ApprovalExpired',
  cancelled: 'ApprovalCancelled',
  executed: 'ApprovalExecuted',
} as const satisfies Record<string, ApprovalLifecycleEventType>;

export type IncompleteKind =
  /** A PolicyDecided let the request proceed; no RequestCompleted (nor RequestOutcomeUnknown) is stored. */
  | 'decided-not-completed'
  /** A grant was claimed for the request (ApprovalExecuted: it was about to be forwarded); no completion is stored. */
  | 'executed-not-completed'
  /** A held request's approval was granted but the grant was never claimed (no ApprovalExecuted). */
  | 'granted-not-executed';

/** One request (or grant) whose evidence stops short. Fields are empty when their event is not stored. */
export interface IncompleteRequest {
  kind: IncompleteKind;
  requestId: string;
  sessionId: string;
  agent: string;
  verb: string;
  /** resource[/subresource], or the path of a non-resource request. */
  resource: string;
  namespace: string;
  name: string;
  /** When it was let through (decision, claim or grant), as its producer recorded it. */
  time: string;
  /** The store stream holding its last event seen (session-…, approval-…). */
  stream: string;
  effect?: string;
  decisionEventId?: string;
  approvalId?: string;
}

export interface CompletenessOptions {
  /**
   * Requests let through less than this many seconds before `now` are in flight, not incomplete
   * (default 60). A held request counts from its approval's expiry, a held grant from the grant.
   */
  graceSeconds?: number;
}

export interface CompletenessReport {
  ok: boolean;
  /** Requests seen let through (decided to proceed, or a grant claimed). */
  proceeded: number;
  /** Of those, still open but within the grace window (or held for an approval not yet expired). */
  inFlight: number;
  incomplete: IncompleteRequest[];
  graceSeconds: number;
  /** Ticket-mode grants that ended unused: the agent did not come back; nothing is missing. */
  unusedTicketGrants: number;
}

interface OpenRequest {
  requestId: string;
  sessionId: string;
  stream: string;
  agent: string;
  verb: string;
  resource: string;
  namespace: string;
  name: string;
  effect?: string;
  decisionEventId?: string;
  /** Epoch ms it was let through (decision or claim); NaN when its time is unreadable. */
  proceededAt?: number;
  proceededTime?: string;
  executed?: { approvalId: string };
}

interface OpenApproval {
  approvalId: string;
  stream: string;
  mode: string;
  requestId: string;
  sessionId: string;
  agent: string;
  verb: string;
  resource: string;
  namespace: string;
  name: string;
  /** Epoch ms after which it can only expire: a request held for it is in flight until then. */
  expiresAt: number;
  granted?: { at: number; time: string; expiresAt: number };
}

type Data = Record<string, unknown>;
const obj = (v: unknown): Data => (v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Data) : {});
const str = (v: unknown): string => (typeof v === 'string' ? v : '');
/** Epoch ms of an RFC 3339 time; NaN when absent or unreadable (then it is never "recent"). */
const ms = (v: unknown): number => (typeof v === 'string' ? Date.parse(v) : NaN);

/** The request attributes people read, from a RequestInfo (or an approval's request attributes). */
function what(info: Data, fallbackPath: string): Pick<OpenRequest, 'verb' | 'resource' | 'namespace' | 'name'> {
  const resource = str(info['resource']);
  const sub = str(info['subresource']);
  return {
    verb: str(info['verb']),
    resource: resource ? (sub ? `${resource}/${sub}` : resource) : str(info['path']) || fallbackPath,
    namespace: str(info['namespace']),
    name: str(info['name']),
  };
}

/** The open entries found after the pass; see CompletenessTracker.findings. */
export interface CompletenessFindings {
  /** Entries that would be reported; 0: no need to settle. */
  readonly unsettled: number;
  settle(e: RecordedEventLike): void;
  report(): CompletenessReport;
}

const byTimeThenId = (x: IncompleteRequest, y: IncompleteRequest): number =>
  x.time < y.time ? -1 : x.time > y.time ? 1 : x.requestId < y.requestId ? -1 : x.requestId > y.requestId ? 1 : 0;

/** Follows the store in order and tells, at the end, which requests and grants stop short. */
export class CompletenessTracker {
  private readonly requests = new Map<string, OpenRequest>();
  private readonly approvals = new Map<string, OpenApproval>();
  private proceeded = 0;

  /** One stored event, in store order. Events that are not request or approval evidence are ignored. */
  observe(e: RecordedEventLike): void {
    const d = obj(e.data);
    switch (e.type) {
      case T.intercepted: {
        const r = this.request(str(d['requestId']), d, e.stream);
        if (!r) return;
        const p = obj(d['payload']);
        if (!r.verb) Object.assign(r, what(obj(p['request']), str(p['path'])));
        return;
      }
      case T.decided: {
        const r = this.request(str(d['requestId']), d, e.stream);
        if (!r || r.decisionEventId !== undefined) return;
        const effect = str(obj(obj(d['payload'])['decision'])['effect']);
        r.effect = effect;
        r.decisionEventId = str(d['eventId']) || e.eventId;
        if (PROCEEDING.has(effect)) this.proceed(r, str(d['time']));
        return;
      }
      case T.completed:
      case T.outcomeUnknown:
        this.requests.delete(str(d['requestId']));
        return;
      case A.requested: {
        const id = str(d['approvalId']);
        if (!id || this.approvals.has(id)) return;
        const requester = obj(d['requester']);
        const attrs = what(obj(d['request']), '');
        this.approvals.set(id, {
          approvalId: id,
          stream: e.stream,
          mode: str(d['mode']),
          requestId: str(d['requestId']),
          sessionId: str(d['sessionId']),
          agent: str(requester['agent']),
          ...attrs,
          expiresAt: ms(d['expiresAt']),
        });
        return;
      }
      case A.granted: {
        const a = this.approvals.get(str(d['approvalId']));
        if (a) a.granted = { at: ms(d['at']), time: str(d['at']), expiresAt: ms(d['grantExpiresAt']) };
        return;
      }
      case A.denied:
      case A.expired:
      case A.cancelled:
        this.approvals.delete(str(d['approvalId']));
        return;
      case A.executed: {
        const approvalId = str(d['approvalId']);
        const a = this.approvals.get(approvalId);
        this.approvals.delete(approvalId);
        const requestId = str(d['requestId']);
        if (!requestId) return;
        let r = this.requests.get(requestId);
        if (!r) {
          // The claim is stored straight away; the request's own events may still be on the bus.
          r = { requestId, sessionId: a?.sessionId ?? '', stream: e.stream, agent: a?.agent ?? '', verb: a?.verb ?? '', resource: a?.resource ?? '', namespace: a?.namespace ?? '', name: a?.name ?? '' };
          this.requests.set(requestId, r);
        }
        r.executed = { approvalId };
        this.proceed(r, str(d['at']));
        return;
      }
      default:
        return;
    }
  }

  /**
   * What is open after the pass, split by `now` and the grace window into in flight and
   * incomplete. Before reading the report, a caller whose `unsettled` is not 0 gives every event of
   * the store again (up to where the pass read) to `settle`: an entry closed by an event stored
   * before the one that opened it is dropped then.
   */
  findings(now: Date, opts: CompletenessOptions = {}): CompletenessFindings {
    const graceSeconds = opts.graceSeconds ?? 60;
    const cutoff = now.getTime() - graceSeconds * 1000;
    const recent = (t: number | undefined) => t !== undefined && !Number.isNaN(t) && t > cutoff;
    let inFlight = 0;
    let unusedTicketGrants = 0;
    const requests = new Map<string, IncompleteRequest>();
    const grants = new Map<string, IncompleteRequest>();
    // A held request waits for its approval: in flight until the approval expires, whatever the grace.
    const heldUntil = new Map<string, number>();
    for (const a of this.approvals.values()) if (a.mode === 'hold' && !a.granted) heldUntil.set(a.requestId, a.expiresAt);
    for (const r of this.requests.values()) {
      if (r.proceededAt === undefined) continue;
      if (recent(r.proceededAt) || recent(heldUntil.get(r.requestId))) {
        inFlight++;
        continue;
      }
      requests.set(r.requestId, {
        kind: r.executed ? 'executed-not-completed' : 'decided-not-completed',
        requestId: r.requestId,
        sessionId: r.sessionId,
        agent: r.agent,
        verb: r.verb,
        resource: r.resource,
        namespace: r.namespace,
        name: r.name,
        time: r.proceededTime ?? '',
        stream: r.stream,
        ...(r.effect ? { effect: r.effect } : {}),
        ...(r.decisionEventId ? { decisionEventId: r.decisionEventId } : {}),
        ...(r.executed ? { approvalId: r.executed.approvalId } : {}),
      });
    }
    for (const a of this.approvals.values()) {
      if (!a.granted) continue;
      if (a.mode !== 'hold') {
        // A ticket is the agent's to use or not before it ends; an unused one is no gap.
        if (a.granted.expiresAt <= now.getTime()) unusedTicketGrants++;
        continue;
      }
      if (recent(a.granted.at)) continue;
      grants.set(a.approvalId, {
        kind: 'granted-not-executed',
        requestId: a.requestId,
        sessionId: a.sessionId,
        agent: a.agent,
        verb: a.verb,
        resource: a.resource,
        namespace: a.namespace,
        name: a.name,
        time: a.granted.time,
        stream: a.stream,
        approvalId: a.approvalId,
      });
    }
    const proceeded = this.proceeded;
    return {
      get unsettled() {
        return requests.size + grants.size;
      },
      settle(e) {
        const d = obj(e.data);
        if (e.type === T.completed || e.type === T.outcomeUnknown) requests.delete(str(d['requestId']));
        else if (e.type === A.executed) grants.delete(str(d['approvalId']));
      },
      report() {
        const incomplete = [...requests.values(), ...grants.values()].sort(byTimeThenId);
        return { ok: incomplete.length === 0, proceeded, inFlight, incomplete, graceSeconds, unusedTicketGrants };
      },
    };
  }

  /** The open entry of a request, made on its first event; undefined for events without a request id. */
  private request(requestId: string, d: Data, stream: string): OpenRequest | undefined {
    if (!requestId) return undefined;
    let r = this.requests.get(requestId);
    if (!r) {
      r = { requestId, sessionId: str(d['sessionId']), stream, agent: str(obj(d['identity'])['agent']), verb: '', resource: '', namespace: '', name: '' };
      this.requests.set(requestId, r);
    } else {
      r.stream = stream.startsWith('session-') || !r.stream ? stream : r.stream;
      if (!r.sessionId) r.sessionId = str(d['sessionId']);
      if (!r.agent) r.agent = str(obj(d['identity'])['agent']);
    }
    return r;
  }

  private proceed(r: OpenRequest, time: string): void {
    if (r.proceededAt === undefined) this.proceeded++;
    const at = ms(time);
    // The latest reason to proceed counts (a claim after its decision); an unreadable time never hides one.
    if (r.proceededAt === undefined || Number.isNaN(at) || at > r.proceededAt) {
      r.proceededAt = at;
      r.proceededTime = time;
    }
  }
}

/** One line an auditor can read for an incomplete request. */
export function describeIncomplete(r: IncompleteRequest): string {
  const target = [r.verb, r.resource, [r.namespace, r.name].filter(Boolean).join('/')].filter(Boolean).join(' ') || '(request not stored)';
  const who = `session ${r.sessionId || '?'}, agent ${r.agent || '?'}`;
  switch (r.kind) {
    case 'decided-not-completed':
      return `request ${r.requestId} (${who}): ${target}, decided ${r.effect ?? '?'} at ${r.time || '?'} (event ${r.decisionEventId ?? '?'}), no RequestCompleted or RequestOutcomeUnknown stored`;
    case 'executed-not-completed':
      return `request ${r.requestId} (${who}): ${target}, its grant of approval ${r.approvalId ?? '?'} claimed at ${r.time || '?'}, no RequestCompleted or RequestOutcomeUnknown stored`;
    case 'granted-not-executed':
      return `approval ${r.approvalId ?? '?'} of held request ${r.requestId} (${who}): ${target}, granted at ${r.time || '?'}, the grant was never claimed (no ApprovalExecuted)`;
    default: {
      const unhandled: never = r.kind;
      return `unknown finding ${String(unhandled)}`;
    }
  }
}
