/** An approval's place in the inbox: when it was requested (ISO UTC, the service's own clock), then its id. */
export interface Place {
  requestedAt: string;
  approvalId: string;
}

export const comparePlaces = (a: Place, b: Place): number =>
  a.requestedAt < b.requestedAt ? -1 : a.requestedAt > b.requestedAt ? 1 : a.approvalId < b.approvalId ? -1 : a.approvalId > b.approvalId ? 1 : 0;

/**
 * Approvals ordered oldest first, as the inbox shows them. Approvals are opened in time order, so an
 * insert is nearly always an append; the position of a place is found by bisection, so a page starts
 * where the previous one ended without reading what came before it.
 */
export class RequestedOrder {
  private readonly places: Place[] = [];

  get size(): number {
    return this.places.length;
  }

  at(i: number): Place {
    return this.places[i] as Place;
  }

  /** The number of places before `p` (where `p` is, or would go). */
  rank(p: Place): number {
    let lo = 0;
    let hi = this.places.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (comparePlaces(this.places[mid] as Place, p) < 0) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  add(p: Place): void {
    const i = this.rank(p);
    if (this.places[i] && comparePlaces(this.places[i] as Place, p) === 0) return;
    this.places.splice(i, 0, p);
  }

  delete(p: Place): void {
    const i = this.rank(p);
    if (this.places[i] && comparePlaces(this.places[i] as Place, p) === 0) this.places.splice(i, 1);
  }
}
