/**
 * Ids kept in the order of a numeric key (ties by id), in two parallel arrays searched by bisection.
 * Events arrive roughly in time order, so an insert or a move is nearly always near the end: the
 * splice moves few elements, and a query reads a key range without looking at the rest. Views
 * loaded from a snapshot come in any order: they are filled in bulk and sorted once.
 */
export class SortedKeys {
  private keys: number[] = [];
  private ids: string[] = [];
  /** While building in bulk: inserts are appended, and `seal` sorts them once. */
  private unsorted = false;

  /**
   * Fill in bulk: inserts until `seal` are appended in any order and sorted once, O(n log n),
   * instead of each being spliced into place (O(n) apiece when they come out of order).
   */
  unsealed(): this {
    this.unsorted = true;
    return this;
  }

  seal(): void {
    if (!this.unsorted) return;
    this.unsorted = false;
    const { keys, ids } = this;
    const order = keys.map((_, i) => i).sort((a, b) => (keys[a] as number) - (keys[b] as number) || compareIds(ids[a] as string, ids[b] as string));
    this.keys = order.map((i) => keys[i] as number);
    this.ids = order.map((i) => ids[i] as string);
  }

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
    if (this.unsorted) {
      this.keys.push(key);
      this.ids.push(id);
      return;
    }
    const at = this.lowerBound(key, id);
    this.keys.splice(at, 0, key);
    this.ids.splice(at, 0, id);
  }

  remove(key: number, id: string): void {
    if (this.unsorted) throw new Error('SortedKeys: remove while filling in bulk');
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

/** The order `lowerBound` bisects by: UTF-16 code units, as `<` compares strings. */
function compareIds(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
