import type { EventStore, RecordedEvent } from '@chaperone/event-store';
import { backoffDelay } from '../delivery/backoff';
import type { Transport } from '../delivery/transport';
import { dropStale, initialJoinerState, join, resumePosition, toChaperoneEvent, type ExportRecord } from '../join/request-joiner';
import type { CheckpointStore, SinkCheckpoint } from './checkpoint-store';

export interface FollowerLogger {
  log(message: string): void;
  warn(message: string): void;
}

export interface SinkFollowerOptions {
  name: string;
  transport: Transport;
  /** Record → what the transport writes (an audit Event, an OCSF record). */
  format: (record: ExportRecord) => unknown;
  batchSize: number;
  pollMs: number;
  pendingMaxAgeMs: number;
  backoff: { initialMs: number; maxMs: number };
  logger: FollowerLogger;
  /** Clock, for the lag figure. */
  now?: () => number;
  /** Least milliseconds between two progress lines in the log. */
  progressEveryMs?: number;
}

export interface SinkStatus {
  name: string;
  transport: string;
  /** Records delivered since start. */
  delivered: number;
  deliveredThrough: number;
  resumeFrom: number;
  caughtUp: boolean;
  /** Seconds between the newest exported event's recording and its delivery. */
  lagSeconds: number | null;
  consecutiveFailures: number;
  /** Failed delivery or checkpoint attempts since start. */
  failures: number;
  /** The wait before the next attempt while backing off; 0 when not. */
  backoffMs: number;
  lastError?: string;
}

class Stopped extends Error {}

/**
 * One sink: follows the evidence store in global order from its checkpoint, joins each request's
 * events, delivers the records in batches and only then moves the checkpoint. Delivery is at least
 * once: a crash after a delivery and before the checkpoint is saved repeats that batch; nothing is
 * ever skipped, because a failing delivery is retried (with back-off) until it succeeds. It only
 * reads the store: the request path never waits on it.
 *
 * The store is read page by page (readAll) rather than through a live subscription, so a batch is
 * exactly what one page yields and back-pressure is the loop itself; once caught up it polls.
 */
export class SinkFollower {
  private stopped = false;
  private wake: (() => void) | undefined;
  private running: Promise<void> | undefined;
  private lastProgressLog = 0;
  readonly status: SinkStatus;

  constructor(
    private readonly store: EventStore,
    private readonly checkpoints: CheckpointStore,
    private readonly opts: SinkFollowerOptions,
  ) {
    this.status = { name: opts.name, transport: opts.transport.description, delivered: 0, deliveredThrough: -1, resumeFrom: 0, caughtUp: false, lagSeconds: null, consecutiveFailures: 0, failures: 0, backoffMs: 0 };
  }

  start(): void {
    this.running ??= this.run().catch((e: unknown) => {
      if (!(e instanceof Stopped)) this.opts.logger.warn(`sink ${this.opts.name}: stopped on an unexpected error: ${(e as Error).message}`);
    });
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.wake?.();
    await this.running;
  }

  private async run(): Promise<void> {
    const o = this.opts;
    const now = o.now ?? Date.now;
    const saved = await this.retrying('load the checkpoint', () => this.checkpoints.load(o.name));
    let checkpoint: SinkCheckpoint = saved ?? { resumeFrom: 0, deliveredThrough: -1 };
    Object.assign(this.status, checkpoint);
    o.logger.log(`sink ${o.name} (${o.transport.description}): ${saved ? `resuming at store position ${checkpoint.resumeFrom}, delivered through ${checkpoint.deliveredThrough}` : 'no checkpoint, starting from the beginning of the store'}`);
    const state = initialJoinerState();
    let next = checkpoint.resumeFrom;
    // A store may give one append's events one position: a full page re-reads its last position.
    let seenPosition = -1;
    let seenIds = new Set<string>();
    while (!this.stopped) {
      const page: RecordedEvent[] = await this.retrying('read the evidence store', () => this.store.readAll({ fromPosition: next, maxCount: o.batchSize }));
      const records: unknown[] = [];
      let last: RecordedEvent | undefined;
      let newestExported: RecordedEvent | undefined;
      // The producers' clock (event time), which is what a pending request's age is measured in.
      let eventTime = Number.NaN;
      for (const e of page) {
        if (e.globalPosition === seenPosition && seenIds.has(e.eventId)) continue;
        if (e.globalPosition !== seenPosition) seenIds = new Set();
        seenPosition = e.globalPosition;
        seenIds.add(e.eventId);
        last = e;
        const event = toChaperoneEvent(e.type, e.data);
        if (!event) continue;
        eventTime = Math.max(Number.isNaN(eventTime) ? -Infinity : eventTime, Date.parse(event.time));
        const record = join(state, event, { globalPosition: e.globalPosition, stream: e.stream, eventId: e.eventId, recordedAt: e.recordedAt });
        if (record && e.globalPosition > checkpoint.deliveredThrough) {
          records.push(o.format(record));
          newestExported = e;
        }
      }
      if (last) {
        for (const id of Number.isNaN(eventTime) ? [] : dropStale(state, eventTime, o.pendingMaxAgeMs)) {
          o.logger.warn(`sink ${o.name}: request ${id} has had no RequestCompleted for ${o.pendingMaxAgeMs / 1000} s; the checkpoint moves past it (it is exported with what remains if it completes)`);
        }
        await this.deliver(records);
        checkpoint = { resumeFrom: resumePosition(state, last.globalPosition), deliveredThrough: Math.max(checkpoint.deliveredThrough, last.globalPosition) };
        const toSave = checkpoint;
        await this.retrying('save the checkpoint', () => this.checkpoints.save(o.name, toSave));
        Object.assign(this.status, checkpoint);
        if (newestExported) this.status.lagSeconds = Math.max(0, (now() - Date.parse(newestExported.recordedAt)) / 1000);
        next = page.length >= o.batchSize ? last.globalPosition : last.globalPosition + 1;
      }
      this.status.caughtUp = page.length < o.batchSize;
      this.logProgress(now());
      if (this.status.caughtUp) await this.sleep(o.pollMs);
    }
  }

  /** Delivers the whole batch, retrying with back-off until it is accepted (or the follower stops). */
  private async deliver(records: unknown[]): Promise<void> {
    if (records.length === 0) return;
    await this.retrying(`deliver ${records.length} record(s) to ${this.opts.transport.description}`, () => this.opts.transport.deliver(records));
    this.status.delivered += records.length;
  }

  private async retrying<T>(what: string, attempt: () => Promise<T>): Promise<T> {
    for (;;) {
      // A stopping follower still finishes what it started (a checkpoint after a delivery), but retries nothing.
      try {
        const result = await attempt();
        if (this.status.consecutiveFailures > 0) this.opts.logger.log(`sink ${this.opts.name}: recovered after ${this.status.consecutiveFailures} failed attempt(s)`);
        this.status.consecutiveFailures = 0;
        this.status.backoffMs = 0;
        delete this.status.lastError;
        return result;
      } catch (e) {
        this.status.consecutiveFailures++;
        this.status.failures++;
        this.status.lastError = (e as Error).message;
        const delay = backoffDelay(this.status.consecutiveFailures, this.opts.backoff);
        this.status.backoffMs = delay;
        if (this.stopped) throw new Stopped();
        this.opts.logger.warn(`sink ${this.opts.name}: could not ${what} (attempt ${this.status.consecutiveFailures}): ${(e as Error).message}; next attempt in ${(delay / 1000).toFixed(1)} s`);
        await this.sleep(delay);
        if (this.stopped) throw new Stopped();
      }
    }
  }

  private logProgress(at: number): void {
    if (at - this.lastProgressLog < (this.opts.progressEveryMs ?? 10_000)) return;
    this.lastProgressLog = at;
    const s = this.status;
    this.opts.logger.log(
      `sink ${s.name}: ${s.delivered} record(s) delivered since start, through store position ${s.deliveredThrough}; ` +
        `lag ${s.lagSeconds === null ? 'n/a' : `${s.lagSeconds.toFixed(1)} s`}${s.caughtUp ? '' : ' (catching up)'}`,
    );
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.wake = undefined;
        resolve();
      }, ms);
      this.wake = () => {
        clearTimeout(timer);
        this.wake = undefined;
        resolve();
      };
    });
  }
}
