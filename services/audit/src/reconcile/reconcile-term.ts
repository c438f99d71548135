import type { JetStreamManager, KV } from 'nats';
import type { BusSubjects, ChaperoneEvent } from '@chaperone/contracts';
import type { CatchUpSubscription, EventStore, RecordedEvent } from '@chaperone/event-store';
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

/** Where a request found to close waits before it is closed (see ReconcileTerm). */
interface Waiting {
  /** The events stream's last sequence when the request was first found. */
  bus: number;
  /** Its session stream's last global position once those messages were stored. */
  storedUpTo?: number;
}

/**
 * One leadership term of the reconciler: follows the store from the last checkpoint (catch-up
 * subscription, global order) into the open requests, and every round closes those `decide`
 * names. Before closing one it makes sure its completion is not merely late: every message the
 * events stream held when the request was first found (its completion among them, if the replica
 * published it before dying) must have been stored by the audit service, and the follow must have
 * seen its session stream up to where it ended then (the stream's last event, one lookup): an end
 * stored by then has closed it in the open requests. Only then is RequestOutcomeUnknown
 * published, on the bus like every evidence event, so the audit service stores it in the
 * session's order, once (its id is derived from the request id). What a close reads is its
 * decision, at its known position: never the session stream after it, which for a long session
 * is most of the store (a replica lost with its requests in flight would make every one of them
 * read it, at once).
 */
export class ReconcileTerm {
  private readonly state: OpenRequests = initialOpenRequests();
  /** requestId → what it waits for before it is closed. */
  private readonly waitingFor = new Map<string, Waiting>();
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
        const waiting = this.waitingFor.get(c.requestId);
        if (waiting === undefined) {
          this.waitingFor.set(c.requestId, { bus: bus.last_seq });
          continue;
        }
        // Workqueue stream: a message is gone once the audit service has stored it.
        if (bus.messages > 0 && bus.first_seq <= waiting.bus) continue;
        waiting.storedUpTo ??= (await this.deps.store.readLastEvent(c.stream))?.globalPosition ?? 0;
        if (this.state.position < waiting.storedUpTo) continue;
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
    this.waitingFor.delete(requestId);
    // Its end was followed while this round waited on the store.
    if (!(requestId in this.state.open)) return;
    const decision = await this.decisionOf(c);
    if (decision?.type !== 'PolicyDecided') {
      this.deps.log.warn(`request ${requestId}: its decision is not at revision ${c.decisionRevision} of ${c.stream}; not closed`);
      return;
    }
    const event = outcomeUnknown(c, decision, Date.now());
    await this.deps.publish(event);
    this.sent.add(requestId);
    this.closed++;
    this.deps.log.log(`request ${requestId} (session ${event.sessionId}): stored RequestOutcomeUnknown: ${c.reason}`);
  }

  /** The request's stored decision: the events at its global position (one append), not its stream read from the start. */
  private async decisionOf(c: Closing): Promise<RecordedEvent | undefined> {
    const there = await this.deps.store.readAll({ fromPosition: c.decisionPosition, toPosition: c.decisionPosition, streamPrefix: c.stream });
    return there.find((e) => e.stream === c.stream && e.revision === c.decisionRevision);
  }
}
