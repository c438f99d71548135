/**
 * A bounded set of recently seen event ids: redelivery on a bus is normal and must not count twice.
 * Bounded so a long-running replica does not grow without limit; the durable, store-backed
 * idempotency comes with the event store (issue #3).
 */
export class SeenIds {
  private readonly ids = new Set<string>();
  constructor(private readonly capacity: number) {}

  /** True the first time an id is offered. */
  add(id: string): boolean {
    if (this.ids.has(id)) return false;
    this.ids.add(id);
    if (this.ids.size > this.capacity) {
      const oldest = this.ids.values().next().value;
      if (oldest !== undefined) this.ids.delete(oldest);
    }
    return true;
  }
}
