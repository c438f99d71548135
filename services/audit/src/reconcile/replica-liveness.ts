import { performance } from 'node:perf_hooks';
import type { KvEntry, NatsConnection, QueuedIterator } from 'nats';
import type { BusSubjects } from '@chaperone/contracts';
import { decodeJson } from '@chaperone/bus';

/** Must match the ingress's bucket settings (services/ingress liveness/replica-heartbeat.ts). */
const BUCKET_TTL_MS = 60 * 60 * 1000;
/** This process looks at its own clock this often while it runs ... */
const TICK_MS = 500;
/** ... and a gap longer than this between two looks means it was not running (stopped, starved, a long pause). */
export const STALL_MS = 2000;

/**
 * Which ingress replicas still announce themselves (`<p>-ingress-replicas`). A replica is silent
 * from the last announcement this process saw, on this process's monotonic clock (never compared
 * with another machine's). One never seen counts from when the watch started. Whenever this
 * process itself was cut from NATS (a restart of the bus), everyone's silence counts again from
 * the reconnection: a replica is never taken for gone because the watcher could not hear it.
 * The same holds when this process itself was not running (stopped, starved of CPU, paused by a
 * long collection): the announcements of that time wait unread in its socket, and the first
 * judgement after it (a timer, which runs before the socket is read) would see every replica
 * silent. So a gap longer than STALL_MS between two looks at its own clock (a timer of its own,
 * and every judgement) makes everyone's silence count again from then.
 */
export class ReplicaLiveness {
  private readonly seen = new Map<string, number>();
  private since: number;
  /** When this process last looked at its clock (see observeClock). */
  private lastLook: number;
  private readonly ticker: NodeJS.Timeout;
  private watcher: QueuedIterator<KvEntry> | undefined;
  private closed = false;

  private constructor(
    private readonly nc: NatsConnection,
    private readonly subjects: BusSubjects,
    private readonly clock: () => number,
  ) {
    this.since = clock();
    this.lastLook = this.since;
    this.ticker = setInterval(() => this.observeClock(), TICK_MS);
    this.ticker.unref();
  }

  static async open(nc: NatsConnection, subjects: BusSubjects, clock: () => number = () => performance.now()): Promise<ReplicaLiveness> {
    const liveness = new ReplicaLiveness(nc, subjects, clock);
    await liveness.watch();
    void liveness.followConnection();
    return liveness;
  }

  /** Replicas among `replicas` silent for at least `ttlMs`, with how long (ms). */
  gone(replicas: Iterable<string>, ttlMs: number): Map<string, number> {
    const now = this.observeClock();
    const out = new Map<string, number>();
    if (!this.watcher) return out; // not listening now: nobody can be judged
    for (const r of replicas) {
      const silent = now - Math.max(this.seen.get(r) ?? this.since, this.since);
      if (silent >= ttlMs) out.set(r, silent);
    }
    return out;
  }

  /** Watch again if the watch ended (NATS was away); called before each judgement round. */
  async ensureWatching(): Promise<void> {
    if (!this.watcher && !this.closed) await this.watch();
  }

  close(): void {
    this.closed = true;
    clearInterval(this.ticker);
    this.watcher?.stop();
  }

  /** Now; after a stall of this process, silence counts from now. */
  private observeClock(): number {
    const now = this.clock();
    if (now - this.lastLook > STALL_MS) this.since = Math.max(this.since, now);
    this.lastLook = now;
    return now;
  }

  private async watch(): Promise<void> {
    const kv = await this.nc.jetstream().views.kv(this.subjects.ingressReplicaBucket, { history: 1, ttl: BUCKET_TTL_MS });
    const watcher = await kv.watch();
    this.watcher = watcher;
    this.since = this.clock();
    void (async () => {
      try {
        for await (const e of watcher) {
          if (e.operation !== 'PUT') continue;
          const replica = replicaOf(e.value);
          if (replica) this.seen.set(replica, this.clock());
        }
      } catch {
        // ended with the connection: a new watch starts at the reconnection
      }
      if (this.watcher === watcher) this.watcher = undefined;
    })();
  }

  private async followConnection(): Promise<void> {
    for await (const s of this.nc.status()) {
      if (this.closed) return;
      if (s.type === 'disconnect') this.since = Number.POSITIVE_INFINITY;
      if (s.type === 'reconnect') {
        this.since = this.clock();
        this.watcher?.stop();
        this.watcher = undefined;
        await this.watch().catch(() => undefined);
      }
    }
  }
}

function replicaOf(value: Uint8Array): string | undefined {
  try {
    const v = decodeJson(value) as { replica?: unknown };
    return typeof v.replica === 'string' ? v.replica : undefined;
  } catch {
    return undefined;
  }
}
