import { createHash } from 'node:crypto';
import { canonicalJson } from './canonical-json';

/**
 * Per-stream SHA-256 hash chain over evidence events.
 *
 * Each event's link is `sha256:` + hex(SHA-256(prevHash + '\n' + canonicalJson(entry))), where
 * prevHash is the link of the previous event of the same stream (GENESIS for revision 0) and
 * entry is { stream, revision, eventId, type, data, metadata } with the chain's own metadata
 * members (prevHash, chainHash) removed. Fields the store assigns (globalPosition, recordedAt)
 * are not covered: the chain vouches for what the writer appended.
 */
export const GENESIS = `sha256:${'0'.repeat(64)}`;

/** Metadata member holding the link of the previous event of the stream. */
export const PREV_HASH_KEY = 'prevHash';
/** Metadata member holding the event's own link. */
export const CHAIN_HASH_KEY = 'chainHash';

const HASH_PATTERN = /^sha256:[0-9a-f]{64}$/;

export function isChainHash(value: unknown): value is string {
  return typeof value === 'string' && HASH_PATTERN.test(value);
}

export interface ChainEntry {
  stream: string;
  revision: number;
  eventId: string;
  type: string;
  data: unknown;
  metadata?: Record<string, unknown>;
}

/** The exact object that is hashed for an entry: only the covered fields, chain members removed. */
export function chainedContent(entry: ChainEntry): Record<string, unknown> {
  const metadata: Record<string, unknown> = { ...(entry.metadata ?? {}) };
  delete metadata[PREV_HASH_KEY];
  delete metadata[CHAIN_HASH_KEY];
  return {
    stream: entry.stream,
    revision: entry.revision,
    eventId: entry.eventId,
    type: entry.type,
    data: entry.data,
    metadata,
  };
}

export function linkHash(prevHash: string, entry: ChainEntry): string {
  if (!isChainHash(prevHash)) {
    throw new Error(`prevHash must look like sha256:<64 hex digits>, got ${JSON.stringify(prevHash)}`);
  }
  const digest = createHash('sha256')
    .update(prevHash, 'utf8')
    .update('\n', 'utf8')
    .update(canonicalJson(chainedContent(entry)), 'utf8')
    .digest('hex');
  return `sha256:${digest}`;
}

/**
 * The links of one stream's events, given in revision order, starting from GENESIS. Ignores any
 * hashes recorded in the events' metadata: this is the chain their content implies.
 */
export function chainHashes(events: readonly ChainEntry[]): string[] {
  const first = events[0];
  const hashes: string[] = [];
  let prev = GENESIS;
  for (const event of events) {
    if (first !== undefined && event.stream !== first.stream) {
      throw new Error(
        `chainHashes covers one stream: got ${JSON.stringify(event.stream)} after ${JSON.stringify(first.stream)}`,
      );
    }
    prev = linkHash(prev, event);
    hashes.push(prev);
  }
  return hashes;
}
