/**
 * Ids kept in the order of a numeric key (ties by id), in two parallel arrays searched by bisection.
 * Events arrive roughly in time order, so an insert or a move is nearly always near the end: the
 * splice moves few elements, and a query reads a key range without looking at the rest.
 */
export class SortedKeys {
  private readonly keys: number[] = [];
  private readonly ids: string[] = [];

  get size(): number {
    return this.ids.length;
  }

  /** The first index whose (key, id) is at or after (key, id). */
  private lowerBound(key: number, id: string): number {
    let lo = 0;
    let hi = this.keys.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const k = this.keys[mid] as number;
      if (k < key || (k === key && (this.ids[mid] as string) < id)) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  insert(key: number, id: string): void {
    const at = this.lowerBound(key, id);
    this.keys.splice(at, 0, key);
    this.ids.splice(at, 0, id);
  }

  remove(key: number, id: string): void {
    const at = this.lowerBound(key, id);
    if (this.ids[at] !== id || this.keys[at] !== key) return;
    this.keys.splice(at, 1);
    this.ids.splice(at, 1);
  }

  /** Positions [start, end) of the keys in [from, to). */
  range(from: number, to: number): { start: number; end: number } {
    return { start: this.lowerBound(from, ''), end: this.lowerBound(to, '') };
  }

  idAt(i: number): string {
    return this.ids[i] as string;
  }

  keyAt(i: number): number {
    return this.keys[i] as number;
  }

  /** The position just after (key, id) in descending order: where a page that ended at it resumes. */
  before(key: number, id: string): number {
    return this.lowerBound(key, id) - 1;
  }
}
