import type { LeaseTiming } from './lease-plan';

/** A held lease, as the partition's writer sees it. */
export interface Lease {
  readonly partition: number;
  /**
   * Whether this replica may still act for the partition (store, acknowledge): false as soon as a
   * renewal failed, the lease was handed back, or no renewal has succeeded for ttl - renew
   * (a stalled process), which is before any other replica may take it over. Once false, false
   * for good: the leases module then ends this term and may start a new one.
   */
  valid(): boolean;
}

/** The leases module's side of a held lease: its revision and when it was last renewed. */
export class HeldLease implements Lease {
  private ended = false;

  constructor(
    readonly partition: number,
    /** The KV revision this replica last wrote for the lease. */
    public revision: number,
    /** When that write was sent (this replica's clock): the lease is this replica's from then. */
    private renewedAt: number,
    private readonly timing: LeaseTiming,
    private readonly clock: () => number,
  ) {}

  valid(): boolean {
    // A lapse seen once stays: a renewal answered late must not revive a term whose writer may
    // already have stopped, or the partition would stay held with nobody writing it.
    if (!this.ended && this.clock() >= this.renewedAt + this.timing.ttlMs - this.timing.renewMs) this.ended = true;
    return !this.ended;
  }

  renewed(revision: number, sentAt: number): void {
    this.revision = revision;
    this.renewedAt = sentAt;
  }

  end(): void {
    this.ended = true;
  }
}
