/** How often a holder renews its leases, and how long an unrenewed lease lasts for the others. */
export interface LeaseTiming {
  renewMs: number;
  ttlMs: number;
}

/**
 * The holder stops acting after ttl - renew without a successful renewal: four renewal periods of
 * margin, so a process starved of CPU for a few seconds (a busy node) keeps its leases instead of
 * bouncing partitions between replicas, while a crashed replica's partitions resume after 5 s.
 */
export const DEFAULT_LEASE_TIMING: LeaseTiming = Object.freeze({ renewMs: 1000, ttlMs: 5000 });

/** A lease as this replica last saw it change (on its own monotonic clock, never the holder's). */
export interface SeenLease {
  holder: string;
  revision: number;
  seenAt: number;
}

/** What this replica knows of the lease bucket. */
export interface LeaseView {
  /** Index = partition; undefined: free (never taken, handed back, or aged out). */
  leases: ReadonlyArray<SeenLease | undefined>;
  /** Replicas that announce themselves (this one included or not), with when each was last seen. */
  replicas: ReadonlyMap<string, number>;
}

export interface LeasePlan {
  /** Partitions to take (free, expired, or still in this replica's name), in the order to try. */
  take: number[];
  /** Held partitions to hand back: this replica holds more than its share. */
  release: number[];
  /** Partitions each live replica should hold at most. */
  share: number;
}

/**
 * Which leases this replica takes or hands back, from what it has seen. A lease or a replica
 * that has not changed for `ttlMs` (by this replica's clock, from when it first saw it) is taken
 * for dead: expiry never compares clocks of two machines. Live replicas share the partitions
 * evenly (each holds at most ceil(partitions / live replicas)); a replica above its share hands
 * back its highest partitions, one below takes free or expired ones, starting at a place of its
 * own so replicas starting together rarely reach for the same lease. Taking is a compare-and-set
 * on the seen revision, so a plan made from a stale view fails safely.
 */
export function planLeases(input: { view: LeaseView; me: string; held: ReadonlySet<number>; now: number; ttlMs: number }): LeasePlan {
  const { view, me, held, now, ttlMs } = input;
  const partitions = view.leases.length;
  let live = 1; // this replica
  for (const [id, seenAt] of view.replicas) if (id !== me && now - seenAt < ttlMs) live++;
  const share = Math.ceil(partitions / live);
  if (held.size > share) {
    const release = [...held].sort((a, b) => b - a).slice(0, held.size - share);
    return { take: [], release, share };
  }
  const takeable = (p: number) => {
    const lease = view.leases[p];
    return !held.has(p) && (lease === undefined || lease.holder === me || now - lease.seenAt >= ttlMs);
  };
  const start = placeOf(me, partitions);
  const order = Array.from({ length: partitions }, (_, i) => (start + i) % partitions);
  return { take: order.filter(takeable).slice(0, share - held.size), release: [], share };
}

/** A stable starting partition per replica id (FNV-1a). */
function placeOf(id: string, partitions: number): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < id.length; i++) {
    h ^= id.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return partitions === 0 ? 0 : (h >>> 0) % partitions;
}
