import { createHash } from 'node:crypto';

export const DEFAULT_TOKEN_CACHE_SIZE = 10_000;

/** Cache key for a raw token: its sha256, so the cache never holds bearer tokens themselves. */
export function tokenKey(token: string): string {
  return createHash('sha256').update(token).digest('base64url');
}

interface Entry<V> {
  value: V;
  expiresAt: number;
}

/**
 * A bounded LRU of verified tokens (Map insertion order = recency). An entry is served only while
 * `now() < expiresAt`, where expiresAt is the token's own `exp`; an expired hit is deleted and
 * reported as a miss, so a cached token is never accepted past its expiry.
 */
export class TokenCache<V> {
  private readonly entries = new Map<string, Entry<V>>();

  constructor(
    private readonly now: () => number,
    private readonly maxEntries = DEFAULT_TOKEN_CACHE_SIZE,
  ) {
    if (!Number.isInteger(maxEntries) || maxEntries < 1) throw new RangeError('token cache size must be a positive integer');
  }

  get size(): number {
    return this.entries.size;
  }

  get(key: string): V | undefined {
    const entry = this.entries.get(key);
    if (entry === undefined) return undefined;
    this.entries.delete(key);
    if (this.now() >= entry.expiresAt) return undefined;
    this.entries.set(key, entry); // most recently used goes last
    return entry.value;
  }

  set(key: string, value: V, expiresAt: number): void {
    if (!(this.now() < expiresAt)) return;
    this.entries.delete(key);
    this.entries.set(key, { value, expiresAt });
    while (this.entries.size > this.maxEntries) {
      const oldest = this.entries.keys().next();
      if (oldest.done) break;
      this.entries.delete(oldest.value);
    }
  }

  clear(): void {
    this.entries.clear();
  }
}
