import {
  ANY,
  BACKWARDS,
  END,
  EventStoreDBClient,
  FORWARDS,
  NO_STREAM,
  START,
  StreamNotFoundError,
  WrongExpectedVersionError,
  excludeSystemEvents,
  streamNameFilter,
  jsonEvent,
  type AllStreamResolvedEvent,
  type AppendExpectedRevision,
  type JSONType,
  type Position,
  type ReadStreamOptions as EsdbReadStreamOptions,
  type ResolvedEvent,
} from '@eventstore/db-client';
import {
  InvalidArgument,
  StoreUnavailable,
  WrongExpectedRevision,
  EventIdConflict,
  type AppendOptions,
  type AppendResult,
  type CatchUpSubscription,
  type EventStore,
  type ExpectedRevision,
  type NewEvent,
  type ReadAllOptions,
  type ReadStreamOptions,
  type RecordedEvent,
  type StoredEventRef,
  type SubscribeToAllOptions,
} from '../port';
import { withTags } from '../tagged';
import {
  classifyStored,
  validateCount,
  validateEvents,
  validateExpectedRevision,
  validateStreamName,
} from '../validation';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Event store on EventStoreDB (KurrentDB) through `@eventstore/db-client` — a thin adapter.
 *
 * - eventId is the ESDB event id and MUST be a UUID (Chaperone event ids are UUIDs); others are
 *   rejected with InvalidArgument.
 * - globalPosition = the $all COMMIT position as a number (ESDB positions are {commit, prepare}
 *   bigints; commit positions are byte offsets in the transaction log, safe as numbers up to
 *   2^53 bytes = 8 PiB; a larger one raises). The events of ONE append share their commit
 *   position (they are one transaction), so globalPosition is strictly increasing between
 *   appends and non-decreasing within one; fromPosition then (re)starts at the whole append.
 * - readAll / subscribeToAll skip system events (`$…` types or streams).
 * - Idempotency: ESDB's own (same ids, same expected revision) plus the same "already stored"
 *   check as the JetStream adapter for `any`, for a stream whose last event is in the batch, and
 *   after WrongExpectedVersion. An ESDB idempotent success is recognised by its revision: it
 *   does not advance past the revision read before the append.
 * - Immutability is NOT enforced by this adapter: deleteStream/tombstone are legitimate ESDB
 *   operations; restrict them with stream ACLs ($ops only, $acl `$d`/`$mw` empty) on the server.
 */
export class EventStoreDBEventStore implements EventStore {
  private readonly subscriptions = new Set<CatchUpSubscription>();

  constructor(private readonly client: EventStoreDBClient) {}

  static fromConnectionString(connectionString: string): EventStoreDBEventStore {
    return new EventStoreDBEventStore(EventStoreDBClient.connectionString(connectionString));
  }

  async append(stream: string, events: NewEvent[], opts: AppendOptions = {}): Promise<AppendResult> {
    validateStreamName(stream);
    validateEvents(events);
    if (events.length === 0) throw new InvalidArgument('append needs at least one event');
    for (const e of events) {
      if (!UUID.test(e.eventId)) throw new InvalidArgument(`EventStoreDB event ids must be UUIDs: ${e.eventId}`);
    }
    const expected = opts.expectedRevision ?? 'any';
    validateExpectedRevision(expected);
    const ids = events.map((e) => e.eventId);
    try {
      const tail = await this.lastEvent(stream);
      const current = tail ? Number(tail.revision) : -1;
      if (tail && (expected === 'any' || ids.includes(tail.id))) {
        const already = await this.alreadyStored(stream, ids);
        if (already) return already;
      }
      let result;
      try {
        result = await this.client.appendToStream(
          stream,
          events.map((e) =>
            jsonEvent({ id: e.eventId, type: e.type, data: (e.data ?? null) as JSONType, metadata: e.metadata ?? {} }),
          ),
          { expectedRevision: toEsdbExpected(expected) },
        );
      } catch (err) {
        if (err instanceof WrongExpectedVersionError) {
          const already = await this.alreadyStored(stream, ids);
          if (already) return already;
          const actual = typeof err.actualVersion === 'bigint' ? Number(err.actualVersion) : -1;
          throw new WrongExpectedRevision(stream, expected, actual);
        }
        throw err;
      }
      const next = Number(result.nextExpectedRevision);
      if (next <= current) {
        // ESDB accepted an idempotent re-append: nothing was written.
        const already = await this.alreadyStored(stream, ids);
        if (already) return already;
      }
      return { nextExpectedRevision: next, globalPosition: toNumber(result.position?.commit ?? -1n), duplicate: false };
    } catch (err) {
      throw mapEsdbError(err);
    }
  }

  async readLastEvent(stream: string): Promise<RecordedEvent | undefined> {
    validateStreamName(stream);
    for await (const e of this.recordedIn(stream, { fromRevision: END, direction: BACKWARDS, maxCount: 1 })) return e;
    return undefined;
  }

  async readStream(stream: string, opts: ReadStreamOptions = {}): Promise<RecordedEvent[]> {
    validateStreamName(stream);
    validateCount('fromRevision', opts.fromRevision, 0);
    validateCount('maxCount', opts.maxCount, 0);
    if (opts.maxCount === 0) return [];
    const out: RecordedEvent[] = [];
    const from = opts.fromRevision ? BigInt(opts.fromRevision) : START;
    for await (const e of this.recordedIn(stream, { fromRevision: from, direction: FORWARDS, ...(opts.maxCount ? { maxCount: opts.maxCount } : {}) })) out.push(e);
    return out;
  }

  async readStreamRefs(stream: string): Promise<StoredEventRef[]> {
    validateStreamName(stream);
    const out: StoredEventRef[] = [];
    // Only the ref is kept: the event's data goes with this iteration.
    for await (const e of this.recordedIn(stream, { fromRevision: START, direction: FORWARDS })) out.push({ eventId: e.eventId, revision: e.revision, globalPosition: e.globalPosition });
    return out;
  }

  /** A stream's events as the client reads them with `options`; none for a stream that does not exist. */
  private async *recordedIn(stream: string, options: EsdbReadStreamOptions): AsyncGenerator<RecordedEvent> {
    try {
      for await (const r of this.client.readStream(stream, options)) {
        const e = toRecorded(r);
        if (e) yield e;
      }
    } catch (err) {
      if (err instanceof StreamNotFoundError) return;
      throw mapEsdbError(err);
    }
  }

  async readAll(opts: ReadAllOptions = {}): Promise<RecordedEvent[]> {
    validateCount('fromPosition', opts.fromPosition, 0);
    validateCount('toPosition', opts.toPosition, 0);
    validateCount('maxCount', opts.maxCount, 0);
    const max = opts.maxCount ?? Number.POSITIVE_INFINITY;
    const to = opts.toPosition ?? Number.POSITIVE_INFINITY;
    if (max === 0) return [];
    const out: RecordedEvent[] = [];
    try {
      // No server-side filter on readAll in this client: skip system events here, and read on
      // until maxCount user events were found.
      for await (const r of this.client.readAll({ fromPosition: toEsdbPosition(opts.fromPosition), direction: FORWARDS })) {
        const e = toRecorded(r);
        if (e && e.globalPosition > to) break;
        if (e && (!opts.streamPrefix || e.stream.startsWith(opts.streamPrefix))) out.push(e);
        if (out.length >= max) break;
      }
    } catch (err) {
      throw mapEsdbError(err);
    }
    return out;
  }

  async subscribeToAll(
    opts: SubscribeToAllOptions,
    onEvent: (e: RecordedEvent) => Promise<void> | void,
    onError?: (err: Error) => void,
  ): Promise<CatchUpSubscription> {
    validateCount('fromPosition', opts.fromPosition, 0);
    const from = opts.fromPosition ?? 0;
    // ESDB subscribes AFTER a position (exclusive); the port is inclusive. Start after the last
    // event before `from` (found by reading backwards), and drop anything before `from`.
    let start: Position | typeof START = START;
    if (from > 0) {
      try {
        for await (const r of this.client.readAll({ fromPosition: toEsdbPosition(from), direction: BACKWARDS, maxCount: 50 })) {
          const p = r.event?.position ?? r.commitPosition;
          const commit = typeof p === 'bigint' ? p : p?.commit;
          if (commit !== undefined && commit < BigInt(from) && r.event?.position) {
            start = r.event.position;
            break;
          }
        }
      } catch (err) {
        throw mapEsdbError(err);
      }
    }
    // A stream prefix is filtered by the server; system streams start with '$', so none matches.
    const filter = opts.streamPrefix ? streamNameFilter({ prefixes: [opts.streamPrefix] }) : excludeSystemEvents();
    const subscription = this.client.subscribeToAll({ fromPosition: start, filter });
    const loop = (async () => {
      try {
        for await (const r of subscription) {
          const e = toRecorded(r);
          if (e && e.globalPosition >= from && (!opts.streamPrefix || e.stream.startsWith(opts.streamPrefix))) await onEvent(e);
        }
      } catch (err) {
        await subscription.unsubscribe().catch(() => undefined);
        onError?.(mapEsdbError(err));
      }
    })();
    const sub: CatchUpSubscription = {
      close: async () => {
        this.subscriptions.delete(sub);
        await subscription.unsubscribe();
        await loop;
      },
    };
    this.subscriptions.add(sub);
    return sub;
  }

  /** EventStoreDB keeps no tags beside an event: each one's are derived from it as stored. */
  subscribeToTags(...[opts, tagsOf, onEvent, onError]: Parameters<EventStore['subscribeToTags']>): Promise<CatchUpSubscription> {
    return this.subscribeToAll(opts, (e) => onEvent(withTags(e, tagsOf(e))), onError);
  }

  async close(): Promise<void> {
    await Promise.all([...this.subscriptions].map((s) => s.close()));
    await this.client.dispose();
  }

  private async lastEvent(stream: string): Promise<{ id: string; revision: bigint } | null> {
    try {
      for await (const r of this.client.readStream(stream, { fromRevision: END, direction: BACKWARDS, maxCount: 1 })) {
        if (r.event) return { id: r.event.id, revision: r.event.revision };
      }
    } catch (err) {
      if (err instanceof StreamNotFoundError) return null;
      throw err;
    }
    return null;
  }

  private async alreadyStored(stream: string, ids: string[]): Promise<AppendResult | null> {
    const wanted = new Set(ids);
    const stored = new Map<string, { revision: number; globalPosition: number }>();
    try {
      for await (const r of this.client.readStream(stream, { fromRevision: START, direction: FORWARDS })) {
        if (r.event && wanted.has(r.event.id)) {
          stored.set(r.event.id, { revision: Number(r.event.revision), globalPosition: toNumber(r.event.position?.commit ?? -1n) });
          if (stored.size === wanted.size) break;
        }
      }
    } catch (err) {
      if (err instanceof StreamNotFoundError) return null;
      throw err;
    }
    const c = classifyStored(ids, stored);
    if (c.kind === 'none') return null;
    if (c.kind === 'partial') throw new EventIdConflict(stream, c.found, 'already stored, but not as this batch at consecutive revisions');
    return { nextExpectedRevision: c.lastRevision, globalPosition: c.lastPosition, duplicate: true };
  }
}

function toEsdbExpected(expected: ExpectedRevision): AppendExpectedRevision {
  if (expected === 'any') return ANY;
  if (expected === 'no_stream') return NO_STREAM;
  return BigInt(expected);
}

function toEsdbPosition(p: number | undefined): Position | typeof START {
  if (!p || p <= 0) return START;
  return { commit: BigInt(p), prepare: BigInt(p) };
}

function toNumber(n: bigint): number {
  if (n > BigInt(Number.MAX_SAFE_INTEGER)) throw new Error(`EventStoreDB position ${n} is beyond Number.MAX_SAFE_INTEGER`);
  return Number(n);
}

function toRecorded(r: ResolvedEvent | AllStreamResolvedEvent): RecordedEvent | null {
  const e = r.event;
  if (!e || e.type.startsWith('$') || e.streamId.startsWith('$')) return null;
  const data = e.isJson ? e.data : new TextDecoder().decode(e.data as Uint8Array);
  const metadata = e.metadata && !(e.metadata instanceof Uint8Array) && typeof e.metadata === 'object' ? e.metadata : {};
  return {
    stream: e.streamId,
    revision: Number(e.revision),
    globalPosition: toNumber(e.position?.commit ?? -1n),
    eventId: e.id,
    type: e.type,
    data,
    metadata: metadata as Record<string, unknown>,
    recordedAt: e.created.toISOString(),
  };
}

function mapEsdbError(err: unknown): Error {
  const type = (err as { type?: string } | undefined)?.type;
  if (type === 'unavailable' || type === 'deadline-exceeded' || type === 'timeout' || type === 'not-leader') {
    return new StoreUnavailable(`EventStoreDB unavailable: ${(err as Error).message}`, { cause: err });
  }
  return err instanceof Error ? err : new Error(String(err));
}
