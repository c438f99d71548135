import { createHash } from 'node:crypto';
import { canonicalJson, canonicalJsonAsStored } from './canonical-json';

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
  return {
    stream: entry.stream,
    revision: entry.revision,
    eventId: entry.eventId,
    type: entry.type,
    data: entry.data,
    metadata: withoutChainMembers(entry.metadata),
  };
}

/**
 * A copy of the metadata without the chain's members, as `{ ...m }` with them deleted would be,
 * built member by member: deleting members turns an object into a slow dictionary, and every
 * event the audit service chains goes through here.
 */
function withoutChainMembers(metadata: Record<string, unknown> | undefined): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (metadata === undefined) return out;
  for (const k of Object.keys(metadata)) {
    if (k === PREV_HASH_KEY || k === CHAIN_HASH_KEY) continue;
    // An own `__proto__` member stays a member (assignment would set the prototype).
    if (k === '__proto__') Object.defineProperty(out, k, { value: metadata[k], enumerable: true, writable: true, configurable: true });
    else out[k] = metadata[k];
  }
  return out;
}

export function linkHash(prevHash: string, entry: ChainEntry): string {
  return hashAfter(prevHash, canonicalJson(chainedContent(entry)));
}

/** What a writer stores for an entry: its metadata with the link, and its data as JSON. */
export interface StoredLink {
  /**
   * Its members as a JSON store gives them back (the chain's own left out), then `prevHash` and
   * the entry's `chainHash`: one copy of the metadata, hashed and returned.
   */
  metadata: Record<string, unknown>;
  /**
   * The canonical JSON of the data as stored, the very text the link covers: JSON of the same
   * values as JSON.stringify's, so a writer can store it instead of serializing the data again.
   */
  dataJson: string;
}

/**
 * The link of the entry as a JSON store gives it back: `linkHash` over its data and metadata after
 * a JSON round trip (`JSON.parse(JSON.stringify(x ?? null))`), computed without the round trip, with
 * the metadata and data JSON to store. A writer links this way, so the chain covers exactly what a
 * reader gets back whatever it was handed (a Date, an undefined member); a verifier, reading what
 * was stored, uses `linkHash`.
 */
export function storedWithLink(prevHash: string, entry: ChainEntry): StoredLink {
  const metadata = withoutChainMembers(metadataAsStored(entry.metadata));
  const data = storedData(entry.data);
  const dataJson = canonicalJsonAsStored(data);
  const chainHash = hashAfter(prevHash, storedContentJson(entry, data, dataJson, metadata));
  metadata[PREV_HASH_KEY] = prevHash;
  metadata[CHAIN_HASH_KEY] = chainHash;
  return { metadata, dataJson };
}

/**
 * canonicalJsonAsStored of the entry's chained content (chainedContent), composed from its data's
 * and its metadata's canonical JSON in the members' code-unit order (data, eventId, metadata,
 * revision, stream, type), so the data is serialized once.
 */
function storedContentJson(entry: ChainEntry, data: unknown, dataJson: string, metadata: Record<string, unknown>): string {
  const { eventId, revision, stream, type } = entry;
  // Members of another type than declared (an untyped caller) take the general path.
  if (typeof eventId !== 'string' || typeof stream !== 'string' || typeof type !== 'string' || !Number.isFinite(revision)) {
    return canonicalJsonAsStored({ stream, revision, eventId, type, data, metadata });
  }
  return (
    `{"data":${dataJson},"eventId":${canonicalJsonAsStored(eventId)},"metadata":${canonicalJsonAsStored(metadata)},` +
    `"revision":${canonicalJsonAsStored(revision)},"stream":${canonicalJsonAsStored(stream)},"type":${canonicalJsonAsStored(type)}}`
  );
}

/** The data as a JSON store gives it back at its top level: null for undefined; never a function or a symbol. */
function storedData(data: unknown): unknown {
  // JSON.stringify gives nothing for these, which no store takes back.
  if (typeof data === 'function' || typeof data === 'symbol') throw new TypeError(`event data of type ${typeof data} is not JSON`);
  return data ?? null;
}

/**
 * Metadata as a JSON store gives it back, ready to take the chain members: a plain record as it is
 * (member by member, it serializes as it is), anything else (an own toJSON, a class instance) after a
 * JSON round trip.
 */
export function metadataAsStored(metadata: Record<string, unknown> | undefined): Record<string, unknown> {
  const m = metadata ?? {};
  return isPlainRecord(m) ? m : (JSON.parse(JSON.stringify(m)) as Record<string, unknown>);
}

function hashAfter(prevHash: string, canonicalContent: string): string {
  if (!isChainHash(prevHash)) {
    throw new Error(`prevHash must look like sha256:<64 hex digits>, got ${JSON.stringify(prevHash)}`);
  }
  const digest = createHash('sha256').update(prevHash, 'utf8').update('\n', 'utf8').update(canonicalContent, 'utf8').digest('hex');
  return `sha256:${digest}`;
}

/** A plain object with no toJSON: it, and a spread copy of it, serialize member by member. */
function isPlainRecord(value: unknown): value is Record<string, unknown> {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return false;
  const proto = Object.getPrototypeOf(value) as unknown;
  return (proto === Object.prototype || proto === null) && !('toJSON' in value);
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
