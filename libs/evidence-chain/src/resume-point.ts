/** Where an event is stored, as a reader of the whole store tells events apart. */
export interface StoredAt {
  globalPosition: number;
  eventId: string;
}

/**
 * Where a reader of the whole store resumes. The events of one append may share a global position
 * (EventStoreDB's commit position; a JetStream message holding several events), so "after the last
 * position" could skip the rest of an append a page or a failure cut. A reader resumes AT the last
 * position instead and skips the event ids it already applied there.
 */
export class ResumePoint {
  private seen = new Set<string>();

  constructor(private at = 0) {}

  /** The position to read from next (inclusive). */
  get position(): number {
    return this.at;
  }

  /** False for an event this reader applied already (read again from the resume position). */
  isNew(e: StoredAt): boolean {
    return e.globalPosition > this.at || (e.globalPosition === this.at && !this.seen.has(e.eventId));
  }

  /**
   * How many events at the resume position are applied: a page read from there gets them back
   * first, so it asks for this many more to bring a page of new ones.
   */
  get appliedHere(): number {
    return this.seen.size;
  }

  /** The event is applied. */
  passed(e: StoredAt): void {
    if (e.globalPosition !== this.at) {
      this.at = e.globalPosition;
      this.seen = new Set();
    }
    this.seen.add(e.eventId);
  }
}
