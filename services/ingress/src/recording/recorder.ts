import { Inject, Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import type { BlobStore } from '@chaperone/blob-store';
import type { ChaperoneEvent, RecordingDeferred } from '@chaperone/contracts';
import type { RequestRefs } from '../events/event-factory';
import { systemClock } from '../events/event-factory';
import { BLOB_STORE } from '../tokens';
import type { CapturedBody } from './body-capture';

/** How often the blob store is probed (up: to notice an outage; down: to notice it is back), and how long a failure keeps it marked down. */
const PROBE_MS = 2000;
const RETRY_MS = 5000;
/** Bodies waiting for the blob store at most, in bytes; beyond it the oldest are given up (and logged). */
const MAX_SPOOL_BYTES = 256 * 1024 * 1024;

/** Which recording a blob is: a request or response body, or an exec session's asciicast. */
export type RecordedWhich = RecordingDeferred['payload']['body'];

interface Pending {
  kept: Buffer;
  digest: string;
}

/**
 * Stores recorded bodies in the blob store, off the request's critical path: the completion record
 * already names each body by digest, the bytes follow. A body the store cannot take is spooled in
 * memory, a RecordingDeferred event says so, and it is retried until stored. Whether the store is
 * up is known without a round trip per request (the last outcome, and a probe while it is down), so
 * rules that refuse requests while bodies cannot be stored cost nothing when it is up.
 */
@Injectable()
export class Recorder implements OnApplicationShutdown {
  private readonly logger = new Logger('Recorder');
  private readonly spool = new Map<string, Pending>();
  private spooled = 0;
  private healthy = true;
  private retry: NodeJS.Timeout | undefined;
  private probing = false;
  private readonly watch: NodeJS.Timeout;

  constructor(@Inject(BLOB_STORE) private readonly store: BlobStore) {
    // While the store is believed up, probe it every PROBE_MS: an outage is then known within
    // that time even before a body fails to store, so rules that refuse requests they cannot
    // record refuse from the start of an outage, not from its first deferred body.
    this.watch = setInterval(() => {
      if (this.healthy && !this.retry) void this.probe();
    }, PROBE_MS);
    this.watch.unref();
  }

  /** False while the last attempt to store failed and no probe has succeeded since. */
  get storeAvailable(): boolean {
    return this.healthy;
  }

  /**
   * Store the kept bytes of these bodies in the background. `defer(events)` is called with the
   * RecordingDeferred events of bodies that had to be spooled, for the caller to store as evidence.
   */
  save(refs: RequestRefs, bodies: { which: RecordedWhich; body: CapturedBody }[], defer: (events: ChaperoneEvent[]) => void): void {
    const work = bodies.flatMap(({ which, body }) => (body.kept && body.recorded.stored ? [{ which, kept: body.kept, digest: body.recorded.stored.digest }] : []));
    if (work.length === 0) return;
    void Promise.all(
      work.map(async (w) => {
        try {
          await this.store.put(w.kept, { capBytes: w.kept.length });
          this.healthy = true;
          return undefined;
        } catch (e) {
          this.healthy = false;
          this.enqueue({ kept: w.kept, digest: w.digest });
          return deferred(refs, w.which, w.digest, e instanceof Error ? e.message : String(e));
        }
      }),
    ).then((events) => {
      const deferredEvents = events.filter((e): e is RecordingDeferred => e !== undefined);
      if (deferredEvents.length > 0) defer(deferredEvents);
    });
  }

  private enqueue(p: Pending): void {
    if (this.spool.has(p.digest)) return;
    this.spool.set(p.digest, p);
    this.spooled += p.kept.length;
    while (this.spooled > MAX_SPOOL_BYTES) {
      const [oldest] = this.spool.values();
      if (!oldest) break;
      this.spool.delete(oldest.digest);
      this.spooled -= oldest.kept.length;
      this.logger.error(`recorded body ${oldest.digest} given up: the spool is full (the blob store has been down too long)`);
    }
    this.scheduleRetry(RETRY_MS);
  }

  private scheduleRetry(ms: number): void {
    if (this.retry) return;
    this.retry = setTimeout(() => {
      this.retry = undefined;
      void this.flush();
    }, ms);
    this.retry.unref();
  }

  /** Store what is spooled; while the store is down, probe it so `storeAvailable` recovers. */
  private async flush(): Promise<void> {
    for (const p of [...this.spool.values()]) {
      try {
        await this.store.put(p.kept, { capBytes: p.kept.length });
        this.spool.delete(p.digest);
        this.spooled -= p.kept.length;
        this.healthy = true;
      } catch {
        this.healthy = false;
        break;
      }
    }
    if (this.spool.size > 0) this.scheduleRetry(RETRY_MS);
    else if (!this.healthy) await this.probe();
  }

  private async probe(): Promise<void> {
    if (this.probing) return;
    this.probing = true;
    try {
      await this.store.has('sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
      this.healthy = true;
    } catch {
      this.healthy = false;
      this.scheduleRetry(PROBE_MS);
    } finally {
      this.probing = false;
    }
  }

  /** Bodies still waiting for the blob store (for shutdown logs and tests). */
  get pending(): number {
    return this.spool.size;
  }

  async onApplicationShutdown(): Promise<void> {
    clearInterval(this.watch);
    if (this.retry) clearTimeout(this.retry);
    if (this.spool.size > 0) await this.flush();
    if (this.spool.size > 0) this.logger.error(`${this.spool.size} recorded bodies were not stored before shutdown (their RecordingDeferred events name them)`);
    await this.store.close();
  }
}

function deferred(refs: RequestRefs, body: RecordedWhich, storedDigest: string, reason: string): RecordingDeferred {
  return {
    eventId: systemClock.newId(),
    schemaVersion: 1,
    type: 'RecordingDeferred',
    time: systemClock.now().toISOString(),
    requestId: refs.requestId,
    sessionId: refs.sessionId,
    traceId: refs.traceId,
    identity: refs.identity,
    payload: { body, storedDigest, reason: reason.slice(0, 300) },
  };
}
