import { bodyRefKey, type RecordingsIndex, type StoredBodyRef } from './recorded-bodies';

const DAY_MS = 86_400_000;

/** A stored body whose retention has passed: the reference, its terms, and when they ran out. */
export interface ExpiredBody {
  ref: StoredBodyRef;
  retentionDays: number;
  expiredAt: string;
}

/**
 * What a prune at `asOf` does, decided from the evidence alone:
 * - `expired`: every reference not yet pruned whose request completed more than its rule's
 *   `retentionDays` before `asOf`;
 * - `delete`: the blobs of those references that no other live reference needs (content
 *   addressing shares one blob between identical bodies);
 * - `keep`: the blobs of expired references that a reference still within its retention shares,
 *   with that reference's request and when it expires;
 * - `withoutTerms`: references whose request has no retention terms in its decision: kept, never
 *   guessed at.
 */
export interface PrunePlan {
  asOf: string;
  expired: ExpiredBody[];
  delete: string[];
  keep: { digest: string; keptFor: string; until: string }[];
  withoutTerms: StoredBodyRef[];
}

/** Pure: the prune plan for the index at `asOf`. */
export function planPrune(index: RecordingsIndex, asOf: Date): PrunePlan {
  const now = asOf.getTime();
  const expired: ExpiredBody[] = [];
  const withoutTerms: StoredBodyRef[] = [];
  /** digest → the live reference that expires last (the one that keeps the blob longest). */
  const live = new Map<string, { requestId: string; until: number }>();
  for (const ref of index.refs) {
    if (index.pruned.has(bodyRefKey(ref))) continue;
    const days = index.retentionDays.get(ref.requestId);
    const completed = Date.parse(ref.time);
    if (days === undefined || Number.isNaN(completed)) {
      withoutTerms.push(ref);
      live.set(ref.storedDigest, { requestId: ref.requestId, until: Number.POSITIVE_INFINITY });
      continue;
    }
    const until = completed + days * DAY_MS;
    if (until < now) {
      expired.push({ ref, retentionDays: days, expiredAt: new Date(until).toISOString() });
      continue;
    }
    const known = live.get(ref.storedDigest);
    if (!known || until > known.until) live.set(ref.storedDigest, { requestId: ref.requestId, until });
  }
  const deleted = new Set<string>();
  const kept = new Map<string, { digest: string; keptFor: string; until: string }>();
  for (const e of expired) {
    const digest = e.ref.storedDigest;
    const keeper = live.get(digest);
    if (keeper) {
      if (!kept.has(digest)) kept.set(digest, { digest, keptFor: keeper.requestId, until: Number.isFinite(keeper.until) ? new Date(keeper.until).toISOString() : 'never' });
    } else {
      deleted.add(digest);
    }
  }
  return { asOf: asOf.toISOString(), expired, delete: [...deleted], keep: [...kept.values()], withoutTerms };
}
