import { CHAIN_HASH_KEY, GENESIS, chainHeadOf, isChainHash, storedWithLink } from '@chaperone/evidence-chain';
import {
  EventIdConflict,
  WrongExpectedRevision,
  type AppendOptions,
  type AppendResult,
  type EventStore,
  type ExpectedRevision,
  type NewEvent,
  type RecordedEvent,
} from '../port';
import { classifyStored, classifyStoredSettled, revisionMatches, validateEvents, validateExpectedRevision, validateStreamName } from '../validation';
import { SerializedEvent } from '../serialized-data';

export interface ChainedEventStoreOptions {
  /** Attempts for `expectedRevision: 'any'` appends that lose a race (jittered); default 20. */
  anyRetries?: number;
  /** Streams whose tail is remembered (oldest dropped first); default 4096. */
  rememberedTails?: number;
}

/** A stream's last event, as the chained store knows it. */
export interface StreamTail {
  readonly revision: number;
  readonly globalPosition: number;
  readonly eventId: string;
  /** As stored: the writer's members and the chain's (prevHash, chainHash). */
  readonly metadata: Readonly<Record<string, unknown>>;
}

/** The evidence store every writer uses: the port, hash-chained, with the tails it knows. */
export interface ChainedEventStore extends EventStore {
  /**
   * The stream's last event as this store last saw it (its own appends, its reads), looked up
   * when it knows nothing of the stream; undefined when the stream has no events. It is only as
   * fresh as this process's knowledge, so it suits the stream's only writer (the audit service
   * holds a lease per partition); a stale tail is never written on (the store refuses an append on
   * it, and forgets it), but a caller that decides from it must be ready to decide again.
   */
  tailOf(stream: string): Promise<StreamTail | undefined>;
  /** Forget every remembered tail: the next append or tailOf of each stream looks it up. */
  forgetTails(): void;
}

/**
 * Hash-chains every append (libs/evidence-chain): each event's metadata gets `prevHash` (the
 * stream's previous link, GENESIS at revision 0) and `chainHash` (SHA-256 over prevHash and the
 * canonical event). Every writer of the evidence store goes through this decorator, so every
 * stream is a chain that `verifyStore` can recompute.
 *
 * A link is only valid after the event it was computed from, so the decorator links the batch onto
 * the stream's last event and appends with that event's EXACT revision and position
 * (`expectedPosition`): the store refuses the append if anything else became the tail. The
 * caller's expectation is checked against the same tail:
 * - a number / `no_stream` that does not match → the batch is looked for (idempotent
 *   re-append, `duplicate: true`) and otherwise WrongExpectedRevision, as the port says;
 * - `any` → the batch is looked for, then appended at the revision just read; a writer that
 *   raced in between makes the store refuse it, and it is linked again and retried.
 *
 * Tail memo: this layer, and only it, remembers each stream's last event: from its own appends
 * (it computed the link, the store reported revision and position) and from `readLastEvent`. An
 * append whose expected revision is the remembered one (a new stream: `no_stream` on a stream
 * known to be empty) costs no lookup: one publish per event. A remembered tail can be stale
 * (another writer, another replica); the store then refuses the append, the tail is forgotten
 * and the append decided again on a lookup, exactly as without the memo. Any error forgets the
 * stream's tail (a timed-out publish may have been stored).
 */
export function chainedEventStore(inner: EventStore, opts: ChainedEventStoreOptions = {}): ChainedEventStore {
  return new HashChainedStore(inner, opts.anyRetries ?? 20, opts.rememberedTails ?? 4096);
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function tailOfRecorded(e: RecordedEvent): StreamTail {
  return { revision: e.revision, globalPosition: e.globalPosition, eventId: e.eventId, metadata: e.metadata };
}

/** No remembered tail to use (as opposed to `null`: the stream is known to have no events). */
const UNKNOWN = undefined;

class HashChainedStore implements ChainedEventStore {
  /** Last event per stream; null: no events. Map order is the eviction order. */
  private readonly tails = new Map<string, StreamTail | null>();

  constructor(
    private readonly inner: EventStore,
    private readonly anyRetries: number,
    private readonly maxTails: number,
  ) {}

  async append(stream: string, events: NewEvent[], opts: AppendOptions = {}): Promise<AppendResult> {
    validateStreamName(stream);
    validateEvents(events);
    if (events.length === 0) return this.inner.append(stream, events, opts); // the adapter's own refusal
    const expected: ExpectedRevision = opts.expectedRevision ?? 'any';
    validateExpectedRevision(expected);
    const ids = events.map((e) => e.eventId);
    for (let attempt = 1; ; attempt++) {
      const remembered = attempt === 1 ? this.rememberedFor(stream, expected, ids) : UNKNOWN;
      const last = remembered !== UNKNOWN ? remembered : await this.lookUp(stream);
      const current = last ? last.revision : -1;
      const matches = revisionMatches(expected, current);
      if (expected === 'any' || !matches || (last !== null && ids.includes(last.eventId))) {
        const duplicate = await this.findBatch(stream, ids);
        if (duplicate) return duplicate;
        if (!matches) throw new WrongExpectedRevision(stream, expected, current);
      }
      const linked = linkBatch(stream, last ?? undefined, events);
      try {
        const result = await this.inner.append(
          stream,
          linked,
          last ? { expectedRevision: last.revision, expectedPosition: last.globalPosition } : { expectedRevision: 'no_stream' },
        );
        this.learn(stream, current, linked, result);
        return result;
      } catch (err) {
        this.forget(stream);
        if (!(err instanceof WrongExpectedRevision)) throw err;
        // A remembered tail went stale: not a conflict yet; decide again on a real lookup.
        if (remembered !== UNKNOWN) continue;
        // Another writer appended after the lookup. The adapter has already recognised a
        // re-append of this very batch (it scans on a mismatch), so this is a real conflict.
        if (expected !== 'any') throw new WrongExpectedRevision(stream, expected, err.actual);
        if (attempt >= this.anyRetries) throw err;
        await sleep(Math.random() * Math.min(50, 2 * attempt));
      }
    }
  }

  async readLastEvent(stream: string): Promise<RecordedEvent | undefined> {
    const last = await this.inner.readLastEvent(stream);
    this.remember(stream, last ? tailOfRecorded(last) : null);
    return last;
  }

  async tailOf(stream: string): Promise<StreamTail | undefined> {
    validateStreamName(stream);
    const known = this.tails.get(stream);
    return (known !== UNKNOWN ? known : await this.lookUp(stream)) ?? undefined;
  }

  forgetTails(): void {
    this.tails.clear();
  }

  readStream(...args: Parameters<EventStore['readStream']>): ReturnType<EventStore['readStream']> {
    return this.inner.readStream(...args);
  }
  readStreamRefs(...args: Parameters<EventStore['readStreamRefs']>): ReturnType<EventStore['readStreamRefs']> {
    return this.inner.readStreamRefs(...args);
  }
  readAll(...args: Parameters<EventStore['readAll']>): ReturnType<EventStore['readAll']> {
    return this.inner.readAll(...args);
  }
  subscribeToAll(...args: Parameters<EventStore['subscribeToAll']>): ReturnType<EventStore['subscribeToAll']> {
    return this.inner.subscribeToAll(...args);
  }
  subscribeToTags(...args: Parameters<EventStore['subscribeToTags']>): ReturnType<EventStore['subscribeToTags']> {
    return this.inner.subscribeToTags(...args);
  }
  close(): Promise<void> {
    return this.inner.close();
  }

  /**
   * The remembered tail when the append can go straight onto it: it is at the expected revision
   * (`no_stream`: the stream is known empty) and is not one of the batch's events (a re-append is
   * decided on what is stored now).
   */
  private rememberedFor(stream: string, expected: ExpectedRevision, ids: string[]): StreamTail | null | typeof UNKNOWN {
    const known = this.tails.get(stream);
    if (known === null) return expected === 'no_stream' ? null : UNKNOWN;
    if (known === UNKNOWN || known.revision !== expected || ids.includes(known.eventId)) return UNKNOWN;
    return known;
  }

  private async lookUp(stream: string): Promise<StreamTail | null> {
    const last = await this.inner.readLastEvent(stream);
    const tail = last ? tailOfRecorded(last) : null;
    this.remember(stream, tail);
    return tail;
  }

  /** The tail after a successful append: its last linked event, where the store put it. */
  private learn(stream: string, before: number, linked: NewEvent[], result: AppendResult): void {
    const last = linked[linked.length - 1];
    if (result.duplicate || !last || result.nextExpectedRevision !== before + linked.length) {
      this.forget(stream); // nothing written, or not where this store expected: learn it afresh
      return;
    }
    this.remember(stream, { revision: result.nextExpectedRevision, globalPosition: result.globalPosition, eventId: last.eventId, metadata: last.metadata ?? {} });
  }

  private remember(stream: string, tail: StreamTail | null): void {
    this.tails.delete(stream); // re-inserted last
    this.tails.set(stream, tail);
    if (this.tails.size > this.maxTails) this.tails.delete(this.tails.keys().next().value as string);
  }

  private forget(stream: string): void {
    this.tails.delete(stream);
  }

  /**
   * The duplicate result when the batch is stored as a unit; throws on a partial overlap. A stored
   * prefix is waited on: an identical append may still be writing the rest through the adapter.
   */
  private async findBatch(stream: string, ids: string[]): Promise<AppendResult | null> {
    const wanted = new Set(ids);
    const c = await classifyStoredSettled(async () => {
      const found = new Map<string, { revision: number; globalPosition: number }>();
      for (const e of await this.inner.readStreamRefs(stream)) {
        if (wanted.has(e.eventId)) found.set(e.eventId, { revision: e.revision, globalPosition: e.globalPosition });
      }
      return classifyStored(ids, found);
    });
    if (c.kind === 'none') return null;
    if (c.kind === 'partial') throw new EventIdConflict(stream, c.found, 'already stored, but not as this batch at consecutive revisions');
    return { nextExpectedRevision: c.lastRevision, globalPosition: c.lastPosition, duplicate: true };
  }
}

/**
 * The batch with its chain links, for appending right after `last`. A stream whose tail carries
 * no link (written before chaining existed) is continued from GENESIS: the verifier reports its
 * unchained part, and everything appended from now on is chained.
 */
export function linkBatch(
  stream: string,
  last: { revision: number; metadata: Readonly<Record<string, unknown>> } | undefined,
  events: NewEvent[],
): NewEvent[] {
  let prevHash = last && isChainHash(last.metadata[CHAIN_HASH_KEY]) ? chainHeadOf({ stream, revision: last.revision, metadata: last.metadata }).hash : GENESIS;
  let revision = last ? last.revision : -1;
  return events.map((e) => {
    revision++;
    // Linked as the store gives it back (after JSON), so the chain covers exactly what a reader gets.
    const { metadata, dataJson } = storedWithLink(prevHash, { stream, revision, eventId: e.eventId, type: e.type, data: e.data, metadata: e.metadata });
    prevHash = metadata[CHAIN_HASH_KEY] as string;
    // The data's JSON the link covers is what the adapter stores (no second serialization).
    return new SerializedEvent(e.eventId, e.type, e.data, metadata, dataJson, e.tags);
  });
}
