import type { ResourceIndex } from './resource-index';

interface Entry {
  at: number;
  index: Promise<ResourceIndex>;
}

/**
 * Discovery per caller (keyed by user name: what one identity may discover says nothing about
 * another's), reused for a while so a tool call costs one request, not three. Failures are not
 * kept. Bounded: the oldest entry goes first.
 */
export class DiscoveryCache {
  private readonly entries = new Map<string, Entry>();

  constructor(
    private readonly ttlMs: number,
    private readonly now: () => number = Date.now,
    private readonly maxEntries = 1000,
  ) {}

  /** The cached index, or a fresh one when missing, expired, or older than `maxAgeMs` (a resource just installed). */
  get(key: string, load: () => Promise<ResourceIndex>, maxAgeMs = this.ttlMs): Promise<ResourceIndex> {
    const hit = this.entries.get(key);
    const t = this.now();
    if (hit && t - hit.at < Math.min(maxAgeMs, this.ttlMs)) return hit.index;
    const index = load();
    this.entries.delete(key);
    this.entries.set(key, { at: t, index });
    if (this.entries.size > this.maxEntries) this.entries.delete(this.entries.keys().next().value as string);
    index.catch(() => {
      if (this.entries.get(key)?.index === index) this.entries.delete(key);
    });
    return index;
  }

  /** How old the caller's index is, in ms (undefined when none is cached). */
  ageOf(key: string): number | undefined {
    const hit = this.entries.get(key);
    return hit ? this.now() - hit.at : undefined;
  }
}
