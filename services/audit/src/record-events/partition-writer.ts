import type { JsMsg, NatsConnection } from 'nats';
import { ContractViolation, parseEventsMessage, type BusSubjects, type ChaperoneEventType } from '@chaperone/contracts';
import { decodeJson } from '@chaperone/bus';
import { EventIdConflict, StoreUnavailable, WrongExpectedRevision, type ChainedEventStore } from '@chaperone/event-store';
import type { Lease } from '../partition-leases/partition-leases';
import { groupByStream, type BusEvent, type StreamBatch } from './batch-plan';
import { ACK_WAIT_MS, PartitionFeed, recreatePartitionConsumer } from './partition-feed';
import { RecentIds } from './recent-ids';
import { storeStreamBatch } from './store-stream-batch';
import { traceStored } from './trace-stored';

/** What the writers count, for readiness and tests. */
export interface RecorderTally {
  readonly stored: Map<ChaperoneEventType, number>;
  /** Events not stored again: already in the store, or twice in one batch. */
  duplicates: number;
  /** Bus messages refused (not JSON, or not matching the events message contract). */
  rejected: number;
  /** False while the store is unreachable. */
  storeHealthy: boolean;
}

export interface WriterDeps {
  nc: NatsConnection;
  subjects: BusSubjects;
  store: ChainedEventStore;
  tally: RecorderTally;
  log: { log(message: string): void; warn(message: string): void; error(message: string): void };
  /** Wait after a batch's first message for more (0: take what has arrived). */
  lingerMs: number;
}

/**
 * Event ids a writer remembers having stored: at the bench's maximum a partition stores a few
 * hundred events a second, so this covers a producer's retries (seconds) many times over.
 */
const RECENT_IDS = 16_384;

/** Pause after a failed store round (outage, unknown error) before the batch is tried again. */
const RETRY_MS = 1000;
/** Pause after another writer raced in: only to let it finish; the append is decided again anyway. */
const RACE_RETRY_MS = 50;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Stores one partition's events while this replica holds its lease. A term starts with the
 * partition's consumer created afresh (what the previous holder left unacknowledged comes first,
 * in order) and the store's remembered tails forgotten. Then batch after batch: decode every
 * message (one event or an array of the partition's events), group the events per session stream in
 * bus order, append each stream's events as one append (in parallel across streams), and only
 * then acknowledge the batch's messages. A batch
 * that cannot be stored is retried, never skipped, while progress acknowledgements keep its
 * messages from being delivered again; the partition waits (fail closed, in order). As soon as the
 * lease is no longer valid the writer stops acting: nothing more is stored or acknowledged.
 */
export class PartitionWriter {
  private stopped = false;
  private feed: PartitionFeed | undefined;
  private readonly running: Promise<void>;
  /** Stored by this writer (this lease term): a retried write's events come again in a new message. */
  private readonly recent = new RecentIds(RECENT_IDS);

  constructor(
    private readonly lease: Lease,
    private readonly deps: WriterDeps,
  ) {
    this.running = this.run();
  }

  get partition(): number {
    return this.lease.partition;
  }

  /** Stop at once; resolves when the current store round (if any) has returned. */
  async stop(): Promise<void> {
    this.stopped = true;
    await this.feed?.stop();
    await this.running;
  }

  private active(): boolean {
    return !this.stopped && this.lease.valid();
  }

  private async run(): Promise<void> {
    const { nc, subjects, store, log } = this.deps;
    while (this.active()) {
      try {
        store.forgetTails();
        await recreatePartitionConsumer(await nc.jetstreamManager(), subjects, this.partition);
        this.feed = await PartitionFeed.open(nc, subjects, this.partition);
        for (;;) {
          const batch = this.active() ? await this.feed.next(this.deps.lingerMs) : undefined;
          if (!batch || !this.active() || !(await this.handle(batch))) break;
        }
      } catch (err) {
        log.warn(`partition ${this.partition}: ${describe(err)}; starting it again`);
        await sleep(RETRY_MS);
      } finally {
        await this.feed?.stop();
      }
    }
  }

  /** Store one batch, then acknowledge it. False when the writer must stop. */
  private async handle(msgs: JsMsg[]): Promise<boolean> {
    const { tally, log } = this.deps;
    const startedAt = Date.now();
    const events: BusEvent[] = [];
    for (const m of msgs) {
      try {
        for (const event of parseEventsMessage(decodeJson(m.data))) events.push({ event, busSequence: m.seq });
      } catch (e) {
        tally.rejected++;
        log.error(`rejected bus message ${m.seq} (not stored): ${e instanceof ContractViolation ? e.message : 'not JSON'}`);
      }
    }
    const { streams, repeated } = groupByStream(events, this.recent);
    tally.duplicates += repeated.length;
    // Long store work (an outage) must not let the ack wait run out: the messages would come again.
    const inProgress = setInterval(() => {
      for (const m of msgs) m.working();
    }, ACK_WAIT_MS / 3);
    try {
      if (!(await this.storeAll(streams))) return false;
    } finally {
      clearInterval(inProgress);
    }
    traceStored(msgs, startedAt);
    for (const s of streams) for (const e of s.events) this.recent.add(e.event.eventId);
    if (!this.active()) return false; // stored, but the partition's consumer may be the next holder's now
    // Every message acknowledged, none waited on: the next batch starts at once, and no reply
    // crosses the bus. A lost acknowledgement brings its message again after the ack wait (or to
    // the next holder at once), where the stream's tail shows it stored: it is not stored twice.
    for (const m of msgs) m.ack();
    return true;
  }

  /** Append every stream's events; retried until done or the lease is gone. */
  private async storeAll(streams: StreamBatch[]): Promise<boolean> {
    const { store, tally, log } = this.deps;
    const scan = new Set<string>();
    let pending = streams;
    while (pending.length > 0) {
      const results = await Promise.allSettled(pending.map((b) => storeStreamBatch(store, b, this.partition, { scan: scan.has(b.stream) })));
      const failed: StreamBatch[] = [];
      let pause = 0;
      results.forEach((r, i) => {
        const batch = pending[i] as StreamBatch;
        if (r.status === 'fulfilled') {
          for (const e of r.value.stored) tally.stored.set(e.event.type, (tally.stored.get(e.event.type) ?? 0) + 1);
          tally.duplicates += r.value.already;
          return;
        }
        failed.push(batch);
        const err: unknown = r.reason;
        if (err instanceof WrongExpectedRevision) {
          pause = Math.max(pause, RACE_RETRY_MS); // another writer moved the stream: decide again on what is stored
        } else if (err instanceof EventIdConflict && !scan.has(batch.stream)) {
          scan.add(batch.stream); // an id stored out of line: compare the whole stream by id
        } else {
          if (err instanceof StoreUnavailable) tally.storeHealthy = false;
          pause = RETRY_MS;
        }
        log.warn(`partition ${this.partition}: ${batch.events.length} events of ${batch.stream} not stored yet (will retry): ${describe(err)}`);
      });
      if (failed.length === 0) break;
      if (!this.active()) return false;
      pending = failed;
      await sleep(pause);
      if (!this.active()) return false;
    }
    tally.storeHealthy = true;
    return true;
  }
}

function describe(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
