import { performance } from 'node:perf_hooks';
import type { KV, KvEntry, NatsConnection, QueuedIterator } from 'nats';
import { EVENT_PARTITIONS, type BusSubjects } from '@chaperone/contracts';
import { decodeJson, encodeJson } from '@chaperone/bus';
import { HeldLease, type Lease } from './held-lease';
import { DEFAULT_LEASE_TIMING, planLeases, type LeaseTiming, type SeenLease } from './lease-plan';

export type { Lease } from './held-lease';

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
  /** Monotonic milliseconds; default performance.now. */
  clock?: () => number;
  /** The KV bucket of the leases; default the audit partitions' (BusSubjects.auditLeaseBucket). */
  bucket?: string;
}

/** Rounds per renewal period: how often expired and free leases are looked for. */
const LOOKS_PER_RENEWAL = 4;
/** A renewal is due a little before a full period has passed (rounds drift late, never early). */
const RENEWAL_DUE = 0.9;

/** Entries older than this leave the bucket (crashed replicas' presence, leases nobody took). */
const BUCKET_TTL_MS = 60 * 60 * 1000;

const leaseKey = (partition: number) => `partition.${partition}`;
const replicaKey = (id: string) => `replica.${id.replace(/[^-_=a-zA-Z0-9]/g, '_')}`;

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
  private readonly clock: () => number;
  private readonly value: Uint8Array;
  private watcher: QueuedIterator<KvEntry> | undefined;
  private timer: NodeJS.Timeout | undefined;
  private ticking: Promise<void> = Promise.resolve();
  private lastRenewal = Number.NEGATIVE_INFINITY;
  private closed = false;

  private constructor(
    private readonly kv: KV,
    private readonly me: string,
    private readonly owner: PartitionOwner,
    private readonly opts: PartitionLeasesOptions,
  ) {
    this.timing = opts.timing ?? DEFAULT_LEASE_TIMING;
    this.clock = opts.clock ?? (() => performance.now());
    this.leases = Array.from({ length: opts.partitions ?? EVENT_PARTITIONS }, () => undefined);
    this.value = encodeJson({ holder: me });
  }

  static async open(nc: NatsConnection, subjects: BusSubjects, me: string, owner: PartitionOwner, opts: PartitionLeasesOptions = {}): Promise<PartitionLeases> {
    const kv = await nc.jetstream().views.kv(opts.bucket ?? subjects.auditLeaseBucket, { history: 1, ttl: BUCKET_TTL_MS });
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
    const now = this.clock();
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
        .finally(() => this.schedule(this.timing.renewMs / LOOKS_PER_RENEWAL));
    }, ms);
  }

  /**
   * One round: when a renewal is due, announce and renew; then take or hand back per the plan.
   * Rounds come LOOKS_PER_RENEWAL times per renewal, so an expired lease is taken within a
   * fraction of the renewal period after its ttl.
   */
  private async tick(): Promise<void> {
    const started = this.clock();
    if (started - this.lastRenewal >= this.timing.renewMs * RENEWAL_DUE) {
      this.lastRenewal = started;
      // Announce first: in the others' eyes this replica's presence never outlives its leases.
      await this.kv.put(replicaKey(this.me), this.value).catch((err: unknown) => this.opts.log?.warn(`cannot announce this replica: ${String(err)}`));
      await Promise.all([...this.held.values()].map((h) => this.renew(h)));
    } else {
      for (const h of [...this.held.values()]) if (!h.valid()) await this.lose(h.partition, 'its lease was not renewed in time');
    }
    if (this.closed) return;
    if (!this.watcher) await this.watch(); // the view is needed to take leases, not to keep them
    const plan = planLeases({
      view: { leases: this.leases, replicas: this.replicas },
      me: this.me,
      held: new Set(this.held.keys()),
      now: this.clock(),
      ttlMs: this.timing.ttlMs,
    });
    for (const p of plan.release) await this.handBack(p, `handing it to another replica (share ${plan.share})`);
    for (const p of plan.take) await this.take(p);
  }

  private async renew(h: HeldLease): Promise<void> {
    if (!h.valid()) return this.lose(h.partition, 'its lease was not renewed in time');
    const sentAt = this.clock();
    try {
      h.renewed(await this.kv.update(leaseKey(h.partition), this.value, h.revision), sentAt);
    } catch (err) {
      await this.lose(h.partition, `its lease could not be renewed (${err instanceof Error ? err.message : String(err)})`);
    }
  }

  private async take(p: number): Promise<void> {
    const seen = this.leases[p];
    const sentAt = this.clock();
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
    const lease = new HeldLease(p, revision, sentAt, this.timing, this.clock);
    this.held.set(p, lease);
    this.opts.log?.log(`took partition ${p}`);
    this.owner.acquired(lease);
  }

  /** Stop the partition at once; the lease is left to expire (or already belongs to another). */
  private async lose(p: number, why: string): Promise<void> {
    const h = this.held.get(p);
    if (!h) return;
    this.held.delete(p);
    h.end();
    // What this replica last wrote, unless the watch has seen newer: taking it back (a lapse from
    // a stall, a renewal answered late) is a compare-and-set on that revision.
    const seen = this.leases[p];
    if (!seen || seen.revision < h.revision) this.leases[p] = { holder: this.me, revision: h.revision, seenAt: this.clock() };
    this.opts.log?.warn(`stopped partition ${p}: ${why}`);
    await this.owner.released(p, why);
  }

  /** Stop the partition, then delete its lease so another replica takes it at its next round. */
  private async handBack(p: number, why: string): Promise<void> {
    const h = this.held.get(p);
    if (!h) return;
    this.held.delete(p);
    h.end();
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
