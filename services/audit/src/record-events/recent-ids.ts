/**
 * The ids of the events a partition writer stored last, up to `capacity` (the oldest forgotten
 * first). An event the bus carries a second time under a new sequence (a producer that retried a
 * write whose acknowledgement it lost, in another message than the first) is after the stream's
 * tail, so the tail alone would let it be stored twice; the producers retry within seconds, so
 * this memory catches it. What it has forgotten, a redelivery of the same message is still caught
 * by the stream's tail and, after an id conflict, by a scan of the stream.
 */
export class RecentIds {
  private readonly order: string[] = [];
  private readonly ids = new Set<string>();
  private next = 0;

  constructor(private readonly capacity: number) {
    if (!(capacity > 0)) throw new RangeError('capacity must be positive');
  }

  has(id: string): boolean {
    return this.ids.has(id);
  }

  add(id: string): void {
    if (this.ids.has(id)) return;
    if (this.order.length < this.capacity) this.order.push(id);
    else {
      // A ring: the slot holds the oldest id, which goes.
      this.ids.delete(this.order[this.next] as string);
      this.order[this.next] = id;
      this.next = (this.next + 1) % this.capacity;
    }
    this.ids.add(id);
  }

  get size(): number {
    return this.ids.size;
  }
}
