import {
  type ConsumerMessages,
  type JetStreamClient,
  type JetStreamManager,
  type JsMsg,
  type MsgHdrs,
  type NatsConnection,
  type StoredMsg,
} from 'nats';
import {
  EventIdConflict,
  InvalidArgument,
  StoreUnavailable,
  WrongExpectedRevision,
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
  type TaggedEvent,
  type TagsOf,
} from '../port';
import { withTags } from '../tagged';
import {
  classifyStored,
  classifyStoredSettled,
  revisionMatches,
  validateCount,
  validateEvents,
  validateExpectedRevision,
  validateStreamName,
} from '../validation';
import { followInBatches } from './batched-follow';
import { EvidenceHeaders, messagesFor, recordedEvents, storedIds, taggedEvents } from './stored-message';
import { JsErrCodes, jsErrCode, mapNatsError } from './errors';
import { ensureEvidenceStream, type EvidenceStreamConfig } from './stream-config';
import { detectSubjectLayout, SubjectLayout } from './subject-layout';

export { EvidenceHeaders } from './stored-message';

export interface JetStreamEventStoreOptions extends EvidenceStreamConfig {
  /** Per-request timeout (publish, lookups) and read-progress watchdog; default 5000 ms. */
  timeoutMs?: number;
  /** Create/validate the stream when the store is created; default true. */
  ensureStream?: boolean;
  /** Attempts for `expectedRevision: 'any'` appends that lose a race (jittered); default 20. */
  anyRetries?: number;
}

interface Tail {
  seq: number;
  revision: number;
  eventId: string;
}

/** Internal: the server refused a publish because another writer appended first. */
class RaceLost extends Error {
  constructor(readonly written: number) {
    super('race lost');
  }
}
/** Internal: the server's dedup window already holds this id (possibly on another subject). */
class ServerDuplicate extends Error {
  constructor(
    readonly written: number,
    readonly eventId: string,
  ) {
    super('server duplicate');
  }
}


/**
 * Event store on one NATS JetStream stream (the default adapter).
 *
 * Mapping: event stream S ↦ subject `<subjectPrefix>.<kind>.S` (subject-layout.ts: the kind is
 * S's leading word, so `session-42` ↦ `evidence.session.session-42`, and a reader of one kind
 * gets a server-filtered consumer; a store first written as `<subjectPrefix>.S` keeps that
 * layout). revision = number of earlier events on the subject (the message's first event's
 * revision is in the `Chaperone-Revision` header; the stream denies deletes, so it never drifts);
 * globalPosition = the JetStream sequence of the event's message; recordedAt = the server's message
 * timestamp (millisecond precision).
 *
 * Messages (stored-message.ts): an append of one event is one message; consecutive events of one
 * append travel as ONE message (up to 256 events or 256 KiB), so a writer that appends in batches
 * (the audit service) pays one publish, one write and one acknowledgement per batch, and every
 * reader gets one delivery for it. Events of one message share its position, as the events of one
 * EventStoreDB append share a commit position; readers resume from a position by skipping the
 * event ids they have already seen at it (readAllPages).
 *
 * Concurrency: an append reads the subject's last message, checks its revision and publishes
 * with `Nats-Expected-Last-Subject-Sequence` set to that message's sequence (0 for `no_stream`),
 * so the SERVER rejects (err 10071) a writer that raced. `any` appends use the same check and
 * retry a few times instead of failing.
 *
 * Known tail: a numeric append that names the position of the event at its expected revision
 * (`expectedPosition`, from this store's own results) publishes on that sequence without looking
 * the tail up: the server refuses it if the subject moved since, and the append is then refused
 * with WrongExpectedRevision. The store itself remembers nothing between calls; the caller that
 * knows the tail (the hash-chaining decorator) keeps it.
 *
 * Atomic up to a message: the events of one message are stored together or not at all. An append
 * larger than one message is published message by message, each expecting the previous one's
 * sequence. A racing writer can only slip in before the first message (then nothing is written);
 * but a crash, timeout or outage between messages leaves the first ones stored. Re-appending the
 * same batch then raises EventIdConflict (part of it is stored); appending the remaining events
 * with the revision reached completes it. A writer that may crash mid-batch looks for a stored
 * prefix by event id before it appends again (the audit service does).
 *
 * Idempotency: ids already stored in the stream as the same batch ⇒ `duplicate: true`, whatever
 * the expected revision and however old they are. It is checked by scanning the subject (headers
 * only) when needed: for `any` appends, when the expected revision does not match, when the
 * stream's last event id is in the batch, and when the server's dedup window (Nats-Msg-Id =
 * eventId) flags an id. A numeric/`no_stream` append that matches the current revision — the
 * normal case — costs one lookup (none when the caller names the tail's position) and one
 * publish per message, no scan. With a named tail the caller vouches that the batch is new (it knows
 * the tail's event); the server's dedup window still turns a recent re-publish into the checks above. Not caught: re-appending an old, non-tail batch with an up-to-date numeric revision
 * after the dedup window (the ids would be stored twice; EventStoreDB behaves the same way).
 *
 * The server deduplicates a message's first event id store-wide within the dedup window: such an
 * id stored on another stream within the window raises EventIdConflict (outside it, it would be
 * stored).
 * Chaperone event ids are UUIDs, unique store-wide.
 */
export class JetStreamEventStore implements EventStore {
  private readonly js: JetStreamClient;
  private readonly timeoutMs: number;
  private readonly subscriptions = new Set<CatchUpSubscription>();
  private closed = false;

  private constructor(
    private readonly nc: NatsConnection,
    private readonly jsm: JetStreamManager,
    private readonly config: JetStreamEventStoreOptions,
    private readonly layout: SubjectLayout,
  ) {
    this.timeoutMs = config.timeoutMs ?? 5000;
    this.js = nc.jetstream({ timeout: this.timeoutMs });
  }

  /** The store does not own the connection: close() leaves it open. */
  static async create(nc: NatsConnection, config: JetStreamEventStoreOptions): Promise<JetStreamEventStore> {
    if (!/^[A-Za-z0-9_-]+$/.test(config.streamName)) throw new InvalidArgument(`invalid JetStream stream name ${config.streamName}`);
    if (!/^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*$/.test(config.subjectPrefix)) {
      throw new InvalidArgument(`invalid subject prefix ${config.subjectPrefix}`);
    }
    let jsm: JetStreamManager;
    try {
      jsm = await nc.jetstreamManager({ timeout: config.timeoutMs ?? 5000 });
    } catch (err) {
      mapNatsError(err, 'jetstreamManager');
    }
    if (config.ensureStream ?? true) await ensureEvidenceStream(jsm, config);
    const layout = await detectSubjectLayout(jsm, config);
    return new JetStreamEventStore(nc, jsm, config, layout);
  }

  subjectFor(stream: string): string {
    return this.layout.subjectFor(stream);
  }

  async append(stream: string, events: NewEvent[], opts: AppendOptions = {}): Promise<AppendResult> {
    this.assertOpen();
    validateStreamName(stream);
    validateEvents(events);
    if (events.length === 0) throw new InvalidArgument('append needs at least one event');
    const expected = opts.expectedRevision ?? 'any';
    validateExpectedRevision(expected);
    const subject = this.subjectFor(stream);
    const ids = events.map((e) => e.eventId);
    const attempts = expected === 'any' ? (this.config.anyRetries ?? 20) : 1;
    const known = this.knownTail(expected, opts.expectedPosition);

    for (let attempt = 1; ; attempt++) {
      // The caller's known tail is taken as is: the batch is new to it (it checked), and the
      // server checks the sequence. Otherwise the tail is looked up and the append decided on it.
      const tail = known ?? (await this.tailOf(subject));
      const current = tail?.revision ?? -1;
      const matches = revisionMatches(expected, current);
      if (!known && tail && (expected === 'any' || !matches || ids.includes(tail.eventId))) {
        const already = await this.alreadyStored(stream, subject, ids, tail.seq);
        if (already) return already;
      }
      if (!matches) throw new WrongExpectedRevision(stream, expected, current);
      try {
        return await this.publishBatch(stream, subject, events, tail?.seq ?? 0, current);
      } catch (err) {
        if (err instanceof RaceLost) {
          // The event the caller named is no longer the tail (or never was): refused as stale.
          if (known && err.written === 0) {
            throw new WrongExpectedRevision(stream, expected, (await this.tailOf(subject))?.revision ?? -1, 'the stream moved past the expected position');
          }
          if (err.written > 0) {
            throw new WrongExpectedRevision(
              stream,
              expected,
              (await this.tailOf(subject))?.revision ?? -1,
              `another writer interleaved after ${err.written} of ${events.length} events were stored (appends are not atomic)`,
            );
          }
          if (attempt < attempts) {
            await new Promise((r) => setTimeout(r, Math.random() * 5 * attempt));
            continue;
          }
          // The winner may have been an identical re-append of this very batch.
          const now = await this.tailOf(subject);
          if (now) {
            const already = await this.alreadyStored(stream, subject, ids, now.seq);
            if (already) return already;
          }
          throw new WrongExpectedRevision(stream, expected, now?.revision ?? -1);
        }
        if (err instanceof ServerDuplicate) {
          const now = await this.tailOf(subject);
          if (err.written === 0 && now) {
            const already = await this.alreadyStored(stream, subject, ids, now.seq);
            if (already) return already;
          }
          throw new EventIdConflict(
            stream,
            [err.eventId],
            err.written > 0
              ? `already stored (server dedup window) after ${err.written} events of this append were stored`
              : 'already stored in another stream or at another position (server dedup window)',
          );
        }
        throw err;
      }
    }
  }

  async readLastEvent(stream: string): Promise<RecordedEvent | undefined> {
    this.assertOpen();
    validateStreamName(stream);
    const m = await this.lastMessage(this.subjectFor(stream), `read last event of ${stream}`);
    return m ? this.toRecorded(m.subject, m.seq, m.header, m.data, m.time).at(-1) : undefined;
  }

  async readStream(stream: string, opts: ReadStreamOptions = {}): Promise<RecordedEvent[]> {
    this.assertOpen();
    validateStreamName(stream);
    validateCount('fromRevision', opts.fromRevision, 0);
    validateCount('maxCount', opts.maxCount, 0);
    const from = opts.fromRevision ?? 0;
    const max = opts.maxCount ?? Number.POSITIVE_INFINITY;
    const subject = this.subjectFor(stream);
    const tail = await this.tailOf(subject);
    if (!tail || max === 0 || from > tail.revision) return [];
    const out: RecordedEvent[] = [];
    // No index from revision to sequence on 2.9: scan the subject (skipping earlier revisions).
    await this.scan({ filter: subject, fromSeq: 1, untilSeq: tail.seq, headersOnly: false }, (m) => {
      for (const e of this.recordedOf(m)) {
        if (e.revision >= from && out.length < max) out.push(e);
      }
      return out.length < max;
    });
    return out;
  }

  async readStreamRefs(stream: string): Promise<StoredEventRef[]> {
    this.assertOpen();
    validateStreamName(stream);
    const subject = this.subjectFor(stream);
    const tail = await this.tailOf(subject);
    if (!tail) return [];
    const out: StoredEventRef[] = [];
    // Headers only: a message's ids and first revision are in its headers (storedIds).
    await this.scan({ filter: subject, fromSeq: 1, untilSeq: tail.seq, headersOnly: true }, (m) => {
      const { revision, ids } = storedIds(m.headers, m.subject);
      ids.forEach((eventId, i) => out.push({ eventId, revision: revision + i, globalPosition: m.seq }));
      return true;
    });
    return out;
  }

  async readAll(opts: ReadAllOptions = {}): Promise<RecordedEvent[]> {
    this.assertOpen();
    validateCount('fromPosition', opts.fromPosition, 0);
    validateCount('toPosition', opts.toPosition, 0);
    validateCount('maxCount', opts.maxCount, 0);
    const from = Math.max(opts.fromPosition ?? 1, 1);
    const max = opts.maxCount ?? Number.POSITIVE_INFINITY;
    let lastSeq: number;
    try {
      lastSeq = (await this.jsm.streams.info(this.config.streamName)).state.last_seq;
    } catch (err) {
      mapNatsError(err, 'readAll');
    }
    // A global position is the sequence of the message holding the event.
    if (opts.toPosition !== undefined) lastSeq = Math.min(lastSeq, opts.toPosition);
    if (max === 0 || from > lastSeq) return [];
    const out: RecordedEvent[] = [];
    const prefix = opts.streamPrefix ?? '';
    await this.scanFrom(this.layout.filterFor(prefix), from, lastSeq, (m) => {
      if (!this.layout.streamOf(m.subject).startsWith(prefix)) return true;
      for (const e of this.recordedOf(m)) if (out.length < max) out.push(e);
      return out.length < max;
    });
    return out;
  }

  subscribeToAll(
    opts: SubscribeToAllOptions,
    onEvent: (e: RecordedEvent) => Promise<void> | void,
    onError?: (err: Error) => void,
  ): Promise<CatchUpSubscription> {
    return this.follow(opts, false, async (m) => {
      for (const e of this.recordedOf(m)) await onEvent(e);
    }, onError);
  }

  /**
   * A headers-only consumer: a message's tags come without its body. A message stored without
   * tags is fetched whole (one direct get) and its events' tags derived.
   */
  subscribeToTags(
    opts: SubscribeToAllOptions,
    tagsOf: TagsOf,
    onEvent: (e: TaggedEvent) => Promise<void> | void,
    onError?: (err: Error) => void,
  ): Promise<CatchUpSubscription> {
    return this.follow(opts, true, async (m) => {
      const stream = this.streamOfMessage(m.subject, m.headers);
      const tagged = taggedEvents(stream, m.subject, m.seq, m.headers, new Date(m.info.timestampNanos / 1e6));
      if (tagged) {
        for (const e of tagged) await onEvent(e);
        return;
      }
      const whole = await this.messageAt(m.seq);
      for (const e of this.toRecorded(whole.subject, whole.seq, whole.header, whole.data, whole.time)) await onEvent(withTags(e, tagsOf(e)));
    }, onError);
  }

  /** The catch-up subscription both follows share: filtered by kind on the server, by prefix here, in order. */
  private async follow(
    opts: SubscribeToAllOptions,
    headersOnly: boolean,
    deliverMessage: (m: JsMsg) => Promise<void>,
    onError?: (err: Error) => void,
  ): Promise<CatchUpSubscription> {
    this.assertOpen();
    validateCount('fromPosition', opts.fromPosition, 0);
    validateCount('batchMs', opts.batchMs, 0);
    const prefix = opts.streamPrefix ?? '';
    const filter = this.layout.filterFor(prefix);
    const from = opts.fromPosition ?? 1;
    const deliver = async (m: JsMsg): Promise<void> => {
      if (this.layout.streamOf(m.subject).startsWith(prefix)) await deliverMessage(m);
    };
    let inner: CatchUpSubscription;
    try {
      inner = opts.batchMs
        ? await followInBatches({ js: this.js, streamName: this.config.streamName, filter, headersOnly, from, batchMs: opts.batchMs, timeoutMs: this.timeoutMs, deliver, onError })
        : await this.followLive(filter, headersOnly, from, deliver, onError);
    } catch (err) {
      mapNatsError(err, 'subscribeToAll');
    }
    const sub: CatchUpSubscription = {
      close: async () => {
        this.subscriptions.delete(sub);
        await inner.close();
      },
    };
    this.subscriptions.add(sub);
    return sub;
  }

  /**
   * Ordered consumer: ephemeral, flow-controlled, recreated from the last delivered sequence after a
   * gap or reconnect, so delivery stays in order without duplicates. It pulls in batches, and the
   * server sends only the subjects of the streams asked for (by kind); each message is pushed as it
   * is stored.
   */
  private async followLive(filter: string, headersOnly: boolean, from: number, deliver: (m: JsMsg) => Promise<void>, onError?: (err: Error) => void): Promise<CatchUpSubscription> {
    const consumer = await this.js.consumers.get(this.config.streamName, { filterSubjects: filter, headers_only: headersOnly, ...(from > 1 ? { opt_start_seq: from } : {}) });
    const messages = await consumer.consume({ max_messages: 256 });
    const loop = (async () => {
      try {
        for await (const m of messages) await deliver(m);
      } catch (err) {
        messages.stop();
        onError?.(err instanceof Error ? err : new Error(String(err)));
      }
    })();
    return {
      close: async () => {
        messages.stop();
        await loop;
      },
    };
  }

  /** Stops the subscriptions; the NATS connection belongs to the caller. */
  async close(): Promise<void> {
    this.closed = true;
    await Promise.all([...this.subscriptions].map((s) => s.close()));
  }

  private assertOpen(): void {
    if (this.closed) throw new StoreUnavailable('event store is closed');
  }

  /**
   * Publish the append's messages (messagesFor: several events travel as one), each expecting the
   * previous one's sequence. `written` in the errors counts events stored before the failure.
   */
  private async publishBatch(
    stream: string,
    subject: string,
    events: NewEvent[],
    lastSeq: number,
    current: number,
  ): Promise<AppendResult> {
    let prevSeq = lastSeq;
    let written = 0;
    for (const message of messagesFor(stream, current + 1, events)) {
      const first = message.events[0] as NewEvent;
      let ack;
      try {
        // The message id (its first event's) is in its headers already.
        ack = await this.js.publish(subject, message.body, {
          headers: message.headers,
          expect: { lastSubjectSequence: prevSeq },
          timeout: this.timeoutMs,
        });
      } catch (err) {
        if (jsErrCode(err) === JsErrCodes.wrongLastSequence) throw new RaceLost(written);
        mapNatsError(err, `append to ${stream}`);
      }
      if (ack.duplicate) throw new ServerDuplicate(written, first.eventId);
      prevSeq = ack.seq;
      written += message.events.length;
    }
    return { nextExpectedRevision: current + events.length, globalPosition: prevSeq, duplicate: false };
  }

  /**
   * The duplicate result when the batch is stored as a unit; throws on a partial overlap. Appends
   * are not atomic here, so a stored prefix may be an identical append still publishing the rest:
   * it is looked at again (up to the then-current tail) before it counts as a conflict.
   */
  private async alreadyStored(stream: string, subject: string, ids: string[], untilSeq: number): Promise<AppendResult | null> {
    const wanted = new Set(ids);
    let until: number | undefined = untilSeq;
    const c = await classifyStoredSettled(async () => {
      until ??= (await this.tailOf(subject))?.seq ?? 0;
      const stored = new Map<string, { revision: number; globalPosition: number }>();
      await this.scan({ filter: subject, fromSeq: 1, untilSeq: until, headersOnly: true }, (m) => {
        const { revision, ids: inMessage } = storedIds(m.headers, subject);
        inMessage.forEach((id, i) => wanted.has(id) && stored.set(id, { revision: revision + i, globalPosition: m.seq }));
        return stored.size < wanted.size;
      });
      until = undefined; // a second look reads up to the tail as it is then
      return classifyStored(ids, stored);
    });
    if (c.kind === 'none') return null;
    if (c.kind === 'partial') {
      throw new EventIdConflict(stream, c.found, 'already stored, but not as this batch at consecutive revisions');
    }
    return { nextExpectedRevision: c.lastRevision, globalPosition: c.lastPosition, duplicate: true };
  }

  private async tailOf(subject: string): Promise<Tail | null> {
    const m = await this.lastMessage(subject, `read last message of ${subject}`);
    if (!m) return null;
    const { revision, ids } = storedIds(m.header, subject);
    return { seq: m.seq, revision: revision + ids.length - 1, eventId: ids.at(-1) as string };
  }

  /** The subject's last message (null: none), one direct get. */
  private async lastMessage(subject: string, what: string): Promise<StoredMsg | null> {
    try {
      return await this.jsm.streams.getMessage(this.config.streamName, { last_by_subj: subject });
    } catch (err) {
      if (jsErrCode(err) === JsErrCodes.noMessageFound) return null;
      mapNatsError(err, what);
    }
  }

  /** The stored message at a sequence, whole. */
  private async messageAt(seq: number): Promise<StoredMsg> {
    try {
      return await this.jsm.streams.getMessage(this.config.streamName, { seq });
    } catch (err) {
      mapNatsError(err, `read message ${seq}`);
    }
  }

  /** The tail the caller names (`expectedPosition` with a numeric revision), if it names one. */
  private knownTail(expected: ExpectedRevision, position: number | undefined): Tail | undefined {
    if (position === undefined) return undefined;
    if (typeof expected !== 'number' || !Number.isSafeInteger(position) || position < 1) {
      throw new InvalidArgument(`expectedPosition ${String(position)} needs a numeric expectedRevision and a position from this store`);
    }
    return { seq: position, revision: expected, eventId: '' };
  }

  /**
   * Deliver stored messages in [fromSeq, untilSeq] matching `filter` to `onMsg` (return false to
   * stop) through a short-lived ordered consumer. untilSeq must be a stored matching message, so
   * the scan always ends; a scan that makes no progress for timeoutMs raises StoreUnavailable.
   */
  private async scan(
    opts: { filter: string; fromSeq: number; untilSeq: number; headersOnly: boolean },
    onMsg: (m: JsMsg) => boolean,
  ): Promise<void> {
    if (opts.fromSeq > opts.untilSeq) return;
    let messages: ConsumerMessages | undefined;
    let timer: NodeJS.Timeout | undefined;
    let stalled = false;
    const arm = () => {
      clearTimeout(timer);
      timer = setTimeout(() => {
        stalled = true;
        messages?.stop();
      }, this.timeoutMs);
    };
    try {
      arm();
      const consumer = await this.js.consumers.get(this.config.streamName, {
        filterSubjects: opts.filter,
        headers_only: opts.headersOnly,
        inactive_threshold: 30_000,
        ...(opts.fromSeq > 1 ? { opt_start_seq: opts.fromSeq } : {}),
      });
      messages = await consumer.consume({ max_messages: Math.min(256, opts.untilSeq - opts.fromSeq + 1) });
      for await (const m of messages) {
        arm();
        if (m.seq > opts.untilSeq) break;
        if (!onMsg(m) || m.seq >= opts.untilSeq) break;
      }
      if (stalled) throw new StoreUnavailable(`NATS JetStream read of ${opts.filter} made no progress for ${this.timeoutMs} ms`);
    } catch (err) {
      mapNatsError(err, `read ${opts.filter}`);
    } finally {
      clearTimeout(timer);
      messages?.stop();
    }
  }

  /**
   * readAll's scan: the server filters by kind, but a filtered scan must end on a matching message;
   * so it runs up to the last matching message at or before `untilSeq` (none: nothing to read).
   */
  private async scanFrom(filter: string, fromSeq: number, untilSeq: number, onMsg: (m: JsMsg) => boolean): Promise<void> {
    let until = untilSeq;
    if (filter !== this.layout.filterFor('')) {
      const last = await this.lastMessage(filter, `read last message of ${filter}`);
      if (!last || last.seq < fromSeq) return;
      until = Math.min(until, last.seq);
    }
    await this.scan({ filter, fromSeq, untilSeq: until, headersOnly: false }, onMsg);
  }

  /** The events a message holds (one, or several stored together). */
  private toRecorded(subject: string, seq: number, h: MsgHdrs | undefined, data: Uint8Array, time: Date): RecordedEvent[] {
    return recordedEvents(this.streamOfMessage(subject, h), subject, seq, h, data, time);
  }

  private streamOfMessage(subject: string, h: MsgHdrs | undefined): string {
    return h?.get(EvidenceHeaders.stream) || this.layout.streamOf(subject);
  }

  private recordedOf(m: JsMsg): RecordedEvent[] {
    return this.toRecorded(m.subject, m.seq, m.headers, m.data, new Date(m.info.timestampNanos / 1e6));
  }
}
