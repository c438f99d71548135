import { performance } from 'node:perf_hooks';
import type { KV, KvEntry, NatsConnection, QueuedIterator } from 'nats';
import { EVENT_PARTITIONS, type BusSubjects } from '@chaperone/contracts';
import { decodeJson, encodeJson } from '@chaperone/bus';
import { DEFAULT_LEASE_TIMING, planLeases, type LeaseTiming, type SeenLease } from './lease-plan';

/** A held lease, as the partition's writer sees it. */
export interface Lease {
  readonly partition: number;
  /**
   * Whether this replica may still act for the partition (store, acknowledge): false as soon as a
   * renewal failed, the lease was handed back, or no renewal has succeeded for ttl - renew
   * (a stalled process), which is before any other replica may take it over.
   */
  valid(): boolean;
}

/** What the leases drive: the writer of each partition this replica holds. */
export interface PartitionOwner {
  /** This replica holds the partition now (a new term: it knows nothing of what happened before). */
  acquired(lease: Lease): void;
  /** The lease is gone or being handed back: stop acting for the partition; resolves once stopped. */
  released(partition: number, why: string): Promise<void>;
}

export interface PartitionLeasesOptions {
  timing?: LeaseTiming;
  partitions?: number;
  log?: { log(message: string): void; warn(message: string): void };
}

/** Entries older than this leave the bucket (crashed replicas' presence, leases nobody took). */
const BUCKET_TTL_MS = 60 * 60 * 1000;

const clock = () => performance.now();
const leaseKey = (partition: number) => `partition.${partition}`;
const replicaKey = (id: string) => `replica.${id.replace(/[^-_=a-zA-Z0-9]/g, '_')}`;

class HeldLease implements Lease {
  ended = false;
  constructor(
    readonly partition: number,
    public revision: number,
    /** When the last successful write of the lease was sent (this replica's clock). */
    public renewedAt: number,
    private readonly timing: LeaseTiming,
  ) {}
  valid(): boolean {
    return !this.ended && clock() < this.renewedAt + this.timing.ttlMs - this.timing.renewMs;
  }
}

/**
 * One lease per event partition in a NATS KV bucket (`<prefix>-audit-leases`): the replica holding
 * a partition's lease is the only one consuming it. Every `renewMs` each replica announces itself
 * (`replica.<id>`), renews its leases with a compare-and-set on the revision it wrote (a failed
 * renewal stops the partition at once), and takes or hands back leases to hold its share
 * (lease-plan.ts). Others see a lease expire after `ttlMs` without a change; the holder stops
 * acting on it after ttlMs - renewMs without a successful renewal, before anyone may take it. A
 * replica that stops hands its leases back (deleting them), so the others take over within one
 * renewal period instead of ttl.
 */
export class PartitionLeases {
  private readonly held = new Map<number, HeldLease>();
  private readonly leases: Array<SeenLease | undefined>;
  private readonly replicas = new Map<string, number>();
  private readonly timing: LeaseTiming;
  private readonly value: Uint8Array;
  private watcher: QueuedIterator<KvEntry> | undefined;
  private timer: NodeJS.Timeout | undefined;
  private ticking: Promise<void> = Promise.resolve();
  private closed = false;

  private constructor(
    private readonly kv: KV,
    private readonly me: string,
    private readonly owner: PartitionOwner,
    private readonly opts: PartitionLeasesOptions,
  ) {
    this.timing = opts.timing ?? DEFAULT_LEASE_TIMING;
    this.leases = Array.from({ length: opts.partitions ?? EVENT_PARTITIONS }, () => undefined);
    this.value = encodeJson({ holder: me });
  }

  static async open(nc: NatsConnection, subjects: BusSubjects, me: string, owner: PartitionOwner, opts: PartitionLeasesOptions = {}): Promise<PartitionLeases> {
    const kv = await nc.jetstream().views.kv(subjects.auditLeaseBucket, { history: 1, ttl: BUCKET_TTL_MS });
    const leases = new PartitionLeases(kv, me, owner, opts);
    await leases.watch();
    leases.schedule(0);
    return leases;
  }

  /** Partitions held now. */
  get partitions(): number[] {
    return [...this.held.keys()].sort((a, b) => a - b);
  }

  /** Stop every partition, hand the leases back and leave. */
  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.timer);
    await this.ticking;
    for (const p of [...this.held.keys()]) await this.handBack(p, 'shutting down');
    await this.kv.delete(replicaKey(this.me)).catch(() => undefined);
    this.watcher?.stop();
  }

  /** Follow the bucket: every change, with when this replica saw it. Resolves once the current state is in. */
  private async watch(): Promise<void> {
    let initialized!: () => void;
    const ready = new Promise<void>((resolve) => (initialized = resolve));
    const watcher = await this.kv.watch({ initializedFn: () => initialized() });
    this.watcher = watcher;
    void (async () => {
      try {
        for await (const e of watcher) this.see(e);
      } catch (err) {
        this.opts.log?.warn(`lease watch ended (${err instanceof Error ? err.message : String(err)}); restarting it`);
      }
      if (!this.closed) this.watcher = undefined; // the next tick opens a new one
    })();
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([ready, new Promise((r) => (timer = setTimeout(r, 2000)))]);
    clearTimeout(timer);
  }

  private see(e: KvEntry): void {
    const now = clock();
    const holder = e.operation === 'PUT' ? holderOf(e.value) : undefined;
    if (e.key.startsWith('partition.')) {
      const p = Number(e.key.slice('partition.'.length));
      if (!Number.isInteger(p) || p < 0 || p >= this.leases.length) return;
      this.leases[p] = holder === undefined ? undefined : { holder, revision: e.revision, seenAt: now };
    } else if (e.key.startsWith('replica.')) {
      if (holder !== undefined) this.replicas.set(holder, now);
      else for (const [id] of this.replicas) if (replicaKey(id) === e.key) this.replicas.delete(id);
    }
  }

  private schedule(ms: number): void {
    if (this.closed) return;
    this.timer = setTimeout(() => {
      this.ticking = this.tick()
        .catch((err: unknown) => this.opts.log?.warn(`lease round failed: ${err instanceof Error ? err.message : String(err)}`))
        .finally(() => this.schedule(this.timing.renewMs));
    }, ms);
  }

  /** One round: announce, renew, then take or hand back per the plan. */
  private async tick(): Promise<void> {
    if (!this.watcher) await this.watch();
    // Announce first: in the others' eyes this replica's presence never outlives its leases.
    await this.kv.put(replicaKey(this.me), this.value).catch((err: unknown) => this.opts.log?.warn(`cannot announce this replica: ${String(err)}`));
    await Promise.all([...this.held.values()].map((h) => this.renew(h)));
    if (this.closed) return;
    const plan = planLeases({
      view: { leases: this.leases, replicas: this.replicas },
      me: this.me,
      held: new Set(this.held.keys()),
      now: clock(),
      ttlMs: this.timing.ttlMs,
    });
    for (const p of plan.release) await this.handBack(p, `handing it to another replica (share ${plan.share})`);
    for (const p of plan.take) await this.take(p);
  }

  private async renew(h: HeldLease): Promise<void> {
    if (!h.valid()) return this.lose(h.partition, 'its lease was not renewed in time');
    const sentAt = clock();
    try {
      h.revision = await this.kv.update(leaseKey(h.partition), this.value, h.revision);
      h.renewedAt = sentAt;
    } catch (err) {
      await this.lose(h.partition, `its lease could not be renewed (${err instanceof Error ? err.message : String(err)})`);
    }
  }

  private async take(p: number): Promise<void> {
    const seen = this.leases[p];
    const sentAt = clock();
    let revision: number;
    try {
      revision = seen ? await this.kv.update(leaseKey(p), this.value, seen.revision) : await this.kv.create(leaseKey(p), this.value);
    } catch {
      // Someone else was quicker, or the view was stale: learn the key as it is, try next round.
      const now = await this.kv.get(leaseKey(p)).catch(() => undefined);
      if (now !== undefined) {
        if (now === null) this.leases[p] = undefined;
        else this.see(now);
      }
      return;
    }
    if (this.closed) {
      await this.kv.delete(leaseKey(p), { previousSeq: revision }).catch(() => undefined);
      return;
    }
    const lease = new HeldLease(p, revision, sentAt, this.timing);
    this.held.set(p, lease);
    this.opts.log?.log(`took partition ${p}`);
    this.owner.acquired(lease);
  }

  /** Stop the partition at once; the lease is left to expire (or already belongs to another). */
  private async lose(p: number, why: string): Promise<void> {
    const h = this.held.get(p);
    if (!h) return;
    this.held.delete(p);
    h.ended = true;
    this.opts.log?.warn(`stopped partition ${p}: ${why}`);
    await this.owner.released(p, why);
  }

  /** Stop the partition, then delete its lease so another replica takes it at its next round. */
  private async handBack(p: number, why: string): Promise<void> {
    const h = this.held.get(p);
    if (!h) return;
    this.held.delete(p);
    h.ended = true;
    this.opts.log?.log(`handing back partition ${p}: ${why}`);
    await this.owner.released(p, why);
    await this.kv.delete(leaseKey(p), { previousSeq: h.revision }).catch(() => undefined);
  }
}

function holderOf(value: Uint8Array): string | undefined {
  try {
    const v = decodeJson(value) as { holder?: unknown };
    return typeof v.holder === 'string' ? v.holder : undefined;
  } catch {
    return undefined;
  }
}
