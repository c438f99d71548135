/**
 * The event-store port. Semantics follow EventStoreDB / Emmett: named streams of events with
 * 0-based revisions, one global order over the whole store, optimistic concurrency through an
 * expected revision, and idempotent appends keyed by event id.
 *
 * Evidence is immutable: no operation here deletes, truncates or rewrites an event, and the
 * adapters refuse to run on a backing store configured to allow it.
 */

/** An event to append. `eventId` identifies it for idempotency (Chaperone event ids are UUIDs). */
export interface NewEvent {
  eventId: string;
  type: string;
  data: unknown;
  metadata?: Record<string, unknown>;
  /**
   * A few facts about the event for followers that need no data (`subscribeToTags`). They are a
   * function of the event: the writer computes them with the same `tagsOf` its followers pass, so
   * an adapter may keep them beside the event (JetStream: in the message headers, delivered without
   * the body) or not at all (EventStoreDB: derived again from the data). Not evidence: never part
   * of the data, the metadata or the hash chain; readAll and readStream do not return them.
   */
  tags?: EventTags;
}

/** At most MAX_TAGS string members of up to MAX_TAG_VALUE_LENGTH characters, named by 1 to MAX_TAG_NAME_LENGTH. */
export type EventTags = Readonly<Record<string, string>>;
export const MAX_TAGS = 16;
export const MAX_TAG_NAME_LENGTH = 64;
export const MAX_TAG_VALUE_LENGTH = 256;

export interface RecordedEvent {
  stream: string;
  /** 0-based position in its stream. */
  revision: number;
  /** Monotonic across the store (see each adapter for its exact meaning). */
  globalPosition: number;
  eventId: string;
  type: string;
  data: unknown;
  metadata: Record<string, unknown>;
  /** RFC 3339 time at which the store recorded the event. */
  recordedAt: string;
}

/**
 * `no_stream`: the stream must not exist yet; a number: the revision of the stream's last event;
 * `any`: no check (appends still never interleave inside the store's own ordering).
 */
export type ExpectedRevision = number | 'no_stream' | 'any';

export interface AppendResult {
  /** Revision of the last event of the batch: pass it as expectedRevision to append after it. */
  nextExpectedRevision: number;
  /** Global position of the last event of the batch. */
  globalPosition: number;
  /** True when every event was already stored (idempotent re-append): nothing was written. */
  duplicate: boolean;
}

export interface AppendOptions {
  expectedRevision?: ExpectedRevision;
  /**
   * With a numeric `expectedRevision`: the `globalPosition` this store reported for the stream's
   * event at that revision (RecordedEvent / AppendResult). It pins the predecessor itself, not only
   * its revision: a writer that derives the new events from the one before (the hash chain does)
   * knows that event is still the tail when the append succeeds; otherwise WrongExpectedRevision,
   * as for a stale revision. An adapter whose concurrency check is on positions (JetStream: the
   * subject's last sequence) needs no lookup of the tail then. Adapters whose revision check
   * already pins the predecessor (EventStoreDB: revisions are never reused) ignore it.
   */
  expectedPosition?: number;
}

export interface ReadStreamOptions {
  /** Inclusive; default 0. */
  fromRevision?: number;
  maxCount?: number;
}

export interface ReadAllOptions {
  /** Inclusive: events whose globalPosition >= fromPosition; default: the start of the store. */
  fromPosition?: number;
  /**
   * Inclusive: events whose globalPosition <= toPosition; default: the end of the store. With
   * fromPosition, the events of one known position (one append's message) without reading on.
   */
  toPosition?: number;
  /** Counts the events returned (after `streamPrefix`). */
  maxCount?: number;
  /**
   * Only events of streams whose name starts with this (e.g. `approval-`), still in global order:
   * a reader that follows one kind of stream skips decoding the rest.
   */
  streamPrefix?: string;
}

export interface SubscribeToAllOptions {
  /** Inclusive, as for readAll; default: the start of the store. */
  fromPosition?: number;
  /**
   * A reader that can wait this long (ms) for new events takes them in batches instead of one by
   * one as they are stored: far fewer deliveries and wake-ups per event on a busy store. 0 or
   * absent: each event as soon as it is stored. An adapter whose live delivery is already batched
   * may ignore it; order and exactly-once delivery are the same either way.
   */
  batchMs?: number;
  /** As for readAll: only events of streams whose name starts with this. */
  streamPrefix?: string;
}

/** An event as `subscribeToTags` delivers it: where it is stored, its type and its tags; no data. */
export interface TaggedEvent {
  stream: string;
  revision: number;
  globalPosition: number;
  eventId: string;
  type: string;
  tags: EventTags;
  recordedAt: string;
}

/** Where an event is stored, without its data: what a reader comparing event ids needs. */
export interface StoredEventRef {
  eventId: string;
  revision: number;
  globalPosition: number;
}

/** A follower's facts about an event, computed from the event as stored (the writer's `tags`). */
export type TagsOf = (e: RecordedEvent) => EventTags;

export interface CatchUpSubscription {
  close(): Promise<void>;
}

export interface EventStore {
  append(stream: string, events: NewEvent[], opts?: AppendOptions): Promise<AppendResult>;
  /** Events of one stream in revision order; [] for a stream that does not exist. */
  /**
   * The last event of a stream, or undefined when it has none: one lookup, whatever the stream's
   * length. Lets a writer that processes a stream in order detect a redelivered tail event and
   * append with an exact expected revision.
   */
  readLastEvent(stream: string): Promise<RecordedEvent | undefined>;
  readStream(stream: string, opts?: ReadStreamOptions): Promise<RecordedEvent[]>;
  /**
   * Every event of a stream as its id, revision and global position, in revision order; [] for a
   * stream that does not exist. For a writer that must find which events of a batch are already
   * stored: it holds a few dozen bytes an event where readStream holds every event's data, and an
   * adapter that keeps ids beside the data reads no data at all.
   */
  readStreamRefs(stream: string): Promise<StoredEventRef[]>;
  /** Events of every stream in global order. */
  readAll(opts?: ReadAllOptions): Promise<RecordedEvent[]>;
  /**
   * Catch-up: delivers stored events from the position, then new ones live, in order, one at a
   * time (the next is delivered after the handler's promise settles). A handler that throws
   * stops the subscription; the error is reported through `onError` when given.
   */
  subscribeToAll(
    opts: SubscribeToAllOptions,
    onEvent: (e: RecordedEvent) => Promise<void> | void,
    onError?: (err: Error) => void,
  ): Promise<CatchUpSubscription>;
  /**
   * subscribeToAll for a follower that needs a few facts per event, not its data (the audit's
   * reconciler). Each event comes with the tags its writer stored, or, where the store holds none
   * for it (another writer, an older event, an adapter that keeps no tags), with `tagsOf` applied
   * to the stored event. Both give the same facts when the writer used `tagsOf`; an adapter that
   * keeps tags delivers them without reading the data at all.
   */
  subscribeToTags(
    opts: SubscribeToAllOptions,
    tagsOf: TagsOf,
    onEvent: (e: TaggedEvent) => Promise<void> | void,
    onError?: (err: Error) => void,
  ): Promise<CatchUpSubscription>;
  close(): Promise<void>;
}

/** The stream was not at the expected revision (another writer won, or the caller is stale). */
export class WrongExpectedRevision extends Error {
  override readonly name = 'WrongExpectedRevision';
  constructor(
    readonly stream: string,
    readonly expected: ExpectedRevision,
    /** The stream's current revision; -1 when it does not exist. */
    readonly actual: number,
    detail?: string,
  ) {
    super(
      `stream '${stream}': expected revision ${String(expected)}, actual ${actual === -1 ? 'no_stream' : actual}` +
        (detail ? ` (${detail})` : ''),
    );
  }
}

/**
 * Some ids of the batch are already stored, but not as this exact batch (other positions, a part
 * of the batch only, or — JetStream — another stream within the dedup window). Neither a clean
 * re-append nor a new append: the caller has a bug.
 */
export class EventIdConflict extends Error {
  override readonly name = 'EventIdConflict';
  constructor(
    readonly stream: string,
    readonly eventIds: string[],
    detail: string,
  ) {
    super(`stream '${stream}': event id conflict for ${eventIds.join(', ')}: ${detail}`);
  }
}

/** The backing store could not be reached or did not answer in time. Retry later. */
export class StoreUnavailable extends Error {
  override readonly name = 'StoreUnavailable';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/** Rejected input (stream name, events, options). */
export class InvalidArgument extends Error {
  override readonly name = 'InvalidArgument';
}
