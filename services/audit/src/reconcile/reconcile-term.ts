import type { JetStreamManager, KV } from 'nats';
import type { BusSubjects, ChaperoneEvent } from '@chaperone/contracts';
import type { CatchUpSubscription, EventStore } from '@chaperone/event-store';
import { decodeJson, encodeJson } from '@chaperone/bus';
import { decide, evolve, initialOpenRequests, outcomeUnknown, resumePosition, type Closing, type OpenRequests } from './open-requests';
import { requestTagsOf } from './request-tags';
import type { ReplicaLiveness } from './replica-liveness';

export interface ReconcileOptions {
  /** An ingress replica silent this long is taken for gone (it announces itself every second). */
  replicaSilenceMs: number;
  /** A bounded request (not a stream, not held) with no completion this long after its decision is closed. */
  maxRequestMs: number;
  /** How often open requests are judged. */
  roundMs: number;
}

export const DEFAULT_RECONCILE_OPTIONS: ReconcileOptions = Object.freeze({ replicaSilenceMs: 8000, maxRequestMs: 15 * 60_000, roundMs: 1000 });

export interface TermDeps {
  store: EventStore;
  jsm: JetStreamManager;
  subjects: BusSubjects;
  /** The reconciler's lease bucket, which also keeps where to read from next time. */
  kv: KV;
  liveness: ReplicaLiveness;
  /** Stores the event on the bus's events stream (message id = event id), as every producer does. */
  publish(event: ChaperoneEvent): Promise<void>;
  /** Whether this replica still leads. */
  valid(): boolean;
  options: ReconcileOptions;
  log: { log(message: string): void; warn(message: string): void };
}

/** The store streams requests' events are in (the audit's streamFor). */
const SESSION_STREAMS = 'session-';

/** Key of the lease bucket holding the store position a new leader reads from. */
export const CHECKPOINT_KEY = 'checkpoint';
/** Rounds between two checkpoints. */
const CHECKPOINT_EVERY = 10;

/**
 * One leadership term of the reconciler: follows the store from the last checkpoint (catch-up
 * subscription, global order) into the open requests, and every round closes those `decide`
 * names. Before closing one it makes sure its completion is not merely late: every message the
 * events stream held when the request was first found (its completion among them, if the replica
 * published it before dying) must have been stored by the audit service, and the request's
 * session stream, read after its decision, must hold no end. Only then is RequestOutcomeUnknown
 * published, on the bus like every evidence event, so the audit service stores it in the
 * session's order, once (its id is derived from the request id).
 */
export class ReconcileTerm {
  private readonly state: OpenRequests = initialOpenRequests();
  /** requestId → events stream last sequence when it was first found to close. */
  private readonly waitingFor = new Map<string, number>();
  /** Closed by this term, not yet seen stored. */
  private readonly sent = new Set<string>();
  private subscription: CatchUpSubscription | undefined;
  private timer: NodeJS.Timeout | undefined;
  private round: Promise<void> = Promise.resolve();
  private rounds = 0;
  private stopped = false;
  /** Requests closed by this term (tests and logs). */
  closed = 0;

  constructor(private readonly deps: TermDeps) {}

  async start(): Promise<void> {
    const from = await this.checkpoint();
    this.subscription = await this.deps.store.subscribeToTags(
      // Requests are judged once a round: new events can wait for it, and come cheaper in batches.
      // Authenticated requests' events are in session streams; the others never reach the cluster.
      { fromPosition: from, batchMs: Math.max(1, Math.round(this.deps.options.roundMs / 2)), streamPrefix: SESSION_STREAMS },
      requestTagsOf,
      (e) => void evolve(this.state, e),
      (err) => this.deps.log.warn(`reconciler: reading the store stopped (${err.message}); it resumes at the next term`),
    );
    this.deps.log.log(`reconciler leads; reading the store from position ${from}`);
    this.schedule();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.round;
    await this.subscription?.close();
  }

  private schedule(): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.round = this.reconcile()
        .catch((err: unknown) => this.deps.log.warn(`reconciler round failed: ${err instanceof Error ? err.message : String(err)}`))
        .finally(() => this.schedule());
    }, this.deps.options.roundMs);
  }

  private async checkpoint(): Promise<number> {
    const entry = await this.deps.kv.get(CHECKPOINT_KEY).catch(() => null);
    if (!entry || entry.operation !== 'PUT') return 0;
    try {
      const v = decodeJson(entry.value) as { position?: unknown };
      return typeof v.position === 'number' && Number.isInteger(v.position) && v.position > 0 ? v.position : 0;
    } catch {
      return 0;
    }
  }

  private async reconcile(): Promise<void> {
    const { options, liveness } = this.deps;
    if (!this.deps.valid()) return;
    await liveness.ensureWatching();
    for (const id of this.sent) if (!(id in this.state.open)) this.sent.delete(id);
    const gateways = new Set<string>();
    for (const r of Object.values(this.state.open)) if (r.gateway !== undefined) gateways.add(r.gateway);
    const closing = decide(this.state, {
      now: Date.now(),
      gone: liveness.gone(gateways, options.replicaSilenceMs),
      maxRequestMs: options.maxRequestMs,
      forgetInterceptsAfterMs: options.maxRequestMs,
    }).filter((c) => !this.sent.has(c.requestId));
    const wanted = new Set(closing.map((c) => c.requestId));
    for (const id of this.waitingFor.keys()) if (!wanted.has(id)) this.waitingFor.delete(id);
    if (closing.length > 0) {
      const bus = (await this.deps.jsm.streams.info(this.deps.subjects.eventsStream)).state;
      for (const c of closing) {
        const mark = this.waitingFor.get(c.requestId);
        if (mark === undefined) {
          this.waitingFor.set(c.requestId, bus.last_seq);
          continue;
        }
        // Workqueue stream: a message is gone once the audit service has stored it.
        if (bus.messages > 0 && bus.first_seq <= mark) continue;
        if (!this.deps.valid() || this.stopped) return;
        await this.close(c);
      }
    }
    if (++this.rounds % CHECKPOINT_EVERY === 0) {
      await this.deps.kv.put(CHECKPOINT_KEY, encodeJson({ position: resumePosition(this.state) })).catch(() => undefined);
    }
  }

  private async close(c: Closing): Promise<void> {
    const requestId = c.requestId;
    const after = await this.deps.store.readStream(c.stream, { fromRevision: c.decisionRevision });
    this.waitingFor.delete(requestId);
    const end = after.find((e) => (e.type === 'RequestCompleted' || e.type === 'RequestOutcomeUnknown') && (e.data as { requestId?: unknown }).requestId === requestId);
    if (end) {
      evolve(this.state, { ...end, tags: requestTagsOf(end) }); // stored meanwhile; the subscription will see it too
      return;
    }
    const decision = after[0];
    if (decision?.revision !== c.decisionRevision || decision.type !== 'PolicyDecided') {
      this.deps.log.warn(`request ${requestId}: its decision is not at revision ${c.decisionRevision} of ${c.stream}; not closed`);
      return;
    }
    const event = outcomeUnknown(c, decision, Date.now());
    await this.deps.publish(event);
    this.sent.add(requestId);
    this.closed++;
    this.deps.log.log(`request ${requestId} (session ${event.sessionId}): stored RequestOutcomeUnknown: ${c.reason}`);
  }
}
