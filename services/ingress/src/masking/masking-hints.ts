import type { Identity, ResourceRequestInfo } from '@chaperone/contracts';

/** How many kinds of request the hints remember (the least recently used is dropped first). */
export const MASKING_HINTS = 10_000;

/**
 * Which masking profile the last decision on a kind of request planned: the same agent (subject
 * and groups) asking the same verb on the same resource in the same namespace. A hint only lets
 * the masking stream be opened while policy decides; the decision still plans the masking, and a
 * wrong hint costs an open that is closed unused. Unmasked, denied and held kinds leave no hint,
 * nor do gets and lists whose documents were masked in one request, so their requests open
 * nothing ahead.
 */
export class MaskingHints {
  private readonly profiles = new Map<string, string>();

  constructor(private readonly capacity = MASKING_HINTS) {}

  static keyOf(identity: Identity, info: ResourceRequestInfo): string {
    return [identity.subject, identity.groups.join(','), info.verb, info.apiGroup, info.resource, info.subresource, info.namespace].join('\u0000');
  }

  /** The profile to open ahead with, or undefined to open nothing before the decision. */
  profileFor(key: string): string | undefined {
    const profile = this.profiles.get(key);
    if (profile === undefined) return undefined;
    // Touched: the least recently used kind goes first.
    this.profiles.delete(key);
    this.profiles.set(key, profile);
    return profile;
  }

  /** The decision planned this profile for this kind of request (undefined: no masking, or held). */
  learn(key: string, profile: string | undefined): void {
    this.profiles.delete(key);
    if (profile === undefined) return;
    this.profiles.set(key, profile);
    if (this.profiles.size > this.capacity) this.profiles.delete(this.profiles.keys().next().value as string);
  }

  get size(): number {
    return this.profiles.size;
  }
}
