import { CHAIN_HASH_KEY, GENESIS, chainHeadOf, isChainHash, withChainLink } from '@chaperone/evidence-chain';
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

export interface ChainedEventStoreOptions {
  /** Attempts for `expectedRevision: 'any'` appends that lose a race (jittered); default 20. */
  anyRetries?: number;
}

/**
 * Hash-chains every append (libs/evidence-chain): each event's metadata gets `prevHash` (the
 * stream's previous link, GENESIS at revision 0) and `chainHash` (SHA-256 over prevHash and the
 * canonical event). Every writer of the evidence store goes through this decorator, so every
 * stream is a chain that `verifyStore` can recompute.
 *
 * A link is only valid for the revision it was computed for, so the decorator reads the stream's
 * last event, links the batch onto it and appends with that EXACT revision. The caller's
 * expectation is checked against the same lookup:
 * - a number / `no_stream` that does not match → the batch is looked for (idempotent
 *   re-append, `duplicate: true`) and otherwise WrongExpectedRevision, as the port says;
 * - `any` → the batch is looked for, then appended at the revision just read; a writer that
 *   raced in between makes the store refuse it, and it is linked again and retried.
 * Appends that match the current revision (the audit service's case) cost one lookup and one
 * append: no scan. A writer that has just read the tail with `readLastEvent` and appends with
 * that event's revision costs no second lookup: the tail read is remembered, and it can only be
 * wrong if the stream moved, in which case the exact revision makes the store refuse the append.
 */
export function chainedEventStore(inner: EventStore, opts: ChainedEventStoreOptions = {}): EventStore {
  return new ChainedEventStore(inner, opts.anyRetries ?? 20);
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** What is stored after a JSON round trip: the chain must cover exactly what a reader gets back. */
function stored<T>(value: T): unknown {
  return JSON.parse(JSON.stringify(value ?? null)) as unknown;
}

/** Tails remembered from readLastEvent, per stream (bounded; oldest dropped first). */
const REMEMBERED_TAILS = 1024;

class ChainedEventStore implements EventStore {
  private readonly tails = new Map<string, RecordedEvent>();

  constructor(
    private readonly inner: EventStore,
    private readonly anyRetries: number,
  ) {}

  /** The stream's last event: the one just read by the caller when it is at `expected`, else a lookup. */
  private async tailFor(stream: string, expected: ExpectedRevision): Promise<RecordedEvent | undefined> {
    const remembered = this.tails.get(stream);
    this.tails.delete(stream);
    if (remembered !== undefined && remembered.revision === expected) return remembered;
    return this.inner.readLastEvent(stream);
  }

  async append(stream: string, events: NewEvent[], opts: AppendOptions = {}): Promise<AppendResult> {
    validateStreamName(stream);
    validateEvents(events);
    if (events.length === 0) return this.inner.append(stream, events, opts); // the adapter's own refusal
    const expected: ExpectedRevision = opts.expectedRevision ?? 'any';
    validateExpectedRevision(expected);
    const ids = events.map((e) => e.eventId);
    for (let attempt = 1; ; attempt++) {
      const last = attempt === 1 ? await this.tailFor(stream, expected) : await this.inner.readLastEvent(stream);
      const current = last ? last.revision : -1;
      const matches = revisionMatches(expected, current);
      if (expected === 'any' || !matches || (last !== undefined && ids.includes(last.eventId))) {
        const duplicate = await this.findBatch(stream, ids);
        if (duplicate) return duplicate;
        if (!matches) throw new WrongExpectedRevision(stream, expected, current);
      }
      try {
        return await this.inner.append(stream, linkBatch(stream, last, events), {
          expectedRevision: last ? last.revision : 'no_stream',
        });
      } catch (err) {
        if (!(err instanceof WrongExpectedRevision)) throw err;
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
    this.tails.delete(stream);
    if (last !== undefined) {
      this.tails.set(stream, last);
      if (this.tails.size > REMEMBERED_TAILS) this.tails.delete(this.tails.keys().next().value as string);
    }
    return last;
  }
  readStream(...args: Parameters<EventStore['readStream']>): ReturnType<EventStore['readStream']> {
    return this.inner.readStream(...args);
  }
  readAll(...args: Parameters<EventStore['readAll']>): ReturnType<EventStore['readAll']> {
    return this.inner.readAll(...args);
  }
  subscribeToAll(...args: Parameters<EventStore['subscribeToAll']>): ReturnType<EventStore['subscribeToAll']> {
    return this.inner.subscribeToAll(...args);
  }
  close(): Promise<void> {
    return this.inner.close();
  }

  /**
   * The duplicate result when the batch is stored as a unit; throws on a partial overlap. A stored
   * prefix is waited on: an identical append may still be writing the rest through the adapter.
   */
  private async findBatch(stream: string, ids: string[]): Promise<AppendResult | null> {
    const wanted = new Set(ids);
    const c = await classifyStoredSettled(async () => {
      const found = new Map<string, { revision: number; globalPosition: number }>();
      for (const e of await this.inner.readStream(stream)) {
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
export function linkBatch(stream: string, last: RecordedEvent | undefined, events: NewEvent[]): NewEvent[] {
  let prev: { hash: string } | undefined;
  if (last) prev = isChainHash(last.metadata[CHAIN_HASH_KEY]) ? chainHeadOf(last) : { hash: GENESIS };
  let revision = last ? last.revision : -1;
  return events.map((e) => {
    revision++;
    const entry = { stream, revision, eventId: e.eventId, type: e.type, data: stored(e.data), metadata: stored(e.metadata ?? {}) as Record<string, unknown> };
    const metadata = withChainLink(prev, entry);
    prev = { hash: metadata[CHAIN_HASH_KEY] as string };
    return { ...e, metadata };
  });
}
