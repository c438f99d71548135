/**
 * Revision of the last stored event per store stream, as last seen by this replica. It spares the store a
 * lookup on the common path; a miss or a stale value only costs a slower, still correct append.
 */
export class RevisionCache {
  private readonly next = new Map<string, number>();
  constructor(private readonly capacity: number) {}

  get(stream: string): number | undefined {
    return this.next.get(stream);
  }

  set(stream: string, revision: number): void {
    this.next.delete(stream);
    this.next.set(stream, revision);
    if (this.next.size > this.capacity) {
      const oldest = this.next.keys().next().value;
      if (oldest !== undefined) this.next.delete(oldest);
    }
  }

  forget(stream: string): void {
    this.next.delete(stream);
  }
}
