import { CHAIN_HASH_KEY, ChainEntry, GENESIS, isChainHash, linkHash, PREV_HASH_KEY } from './chain';

export interface ChainLink {
  prevHash: string;
  chainHash: string;
}

/**
 * The chain members to put into an event's metadata when appending it. `prev` is the head of the
 * stream (its last event's chainHash), undefined when the entry is the stream's first event
 * (revision 0). The entry's revision must be the one the store will assign, so append with an
 * exact expected revision.
 */
export function nextLink(prev: { hash: string } | undefined, entry: ChainEntry): ChainLink {
  const prevHash = prevHashOf(prev, entry);
  return { prevHash, chainHash: linkHash(prevHash, entry) };
}

/**
 * The entry's metadata with its chain members set: what to append when the entry is already as
 * the store will give it back (a writer handing the store values JSON changes uses storedWithLink).
 */
export function withChainLink(prev: { hash: string } | undefined, entry: ChainEntry): Record<string, unknown> {
  const prevHash = prevHashOf(prev, entry);
  const metadata = entry.metadata ?? {};
  return { ...metadata, [PREV_HASH_KEY]: prevHash, [CHAIN_HASH_KEY]: linkHash(prevHash, entry) };
}

/** The link the entry chains onto: `prev`'s, or GENESIS for a stream's first event (revision 0). */
function prevHashOf(prev: { hash: string } | undefined, entry: ChainEntry): string {
  if (prev === undefined) {
    if (entry.revision !== 0) {
      throw new Error(`no previous link given for revision ${entry.revision}: only revision 0 starts a chain`);
    }
    return GENESIS;
  }
  if (!isChainHash(prev.hash)) {
    throw new Error(`previous link must look like sha256:<64 hex digits>, got ${JSON.stringify(prev.hash)}`);
  }
  return prev.hash;
}

/**
 * The chain head a recorded event carries ({ revision, hash } from its metadata.chainHash), for
 * `nextLink` and for checkpoint heads. Throws when the event carries no well-formed link.
 */
export function chainHeadOf(event: { stream: string; revision: number; metadata: Record<string, unknown> }): {
  revision: number;
  hash: string;
} {
  const hash = event.metadata[CHAIN_HASH_KEY];
  if (!isChainHash(hash)) {
    throw new Error(`event ${event.stream}@${event.revision} carries no well-formed metadata.${CHAIN_HASH_KEY}`);
  }
  return { revision: event.revision, hash };
}
