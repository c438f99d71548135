import { headers as natsHeaders, type MsgHdrs } from 'nats';
import type { EventTags, NewEvent, RecordedEvent, TaggedEvent } from '../port';
import { dataJsonOf } from '../serialized-data';

/** Headers every stored message carries. */
export const EvidenceHeaders = Object.freeze({
  stream: 'Chaperone-Stream',
  /** The revision of the message's (first) event. */
  revision: 'Chaperone-Revision',
  /** One-event message: its type. */
  eventType: 'Chaperone-Event-Type',
  /** One-event message: its metadata, a JSON object; absent when the event has none. */
  metadata: 'Chaperone-Metadata',
  /** Several-event message: how many events it holds. */
  count: 'Chaperone-Count',
  /** Several-event message: the events' ids, space-separated, in order (read by headers-only scans). */
  eventIds: 'Chaperone-Event-Ids',
  /**
   * Every event's type and tags, a JSON array of `[type, tags]` pairs in order, present when every
   * event of the message has tags: a headers-only follower reads them without the body.
   */
  tags: 'Chaperone-Tags',
  /** The (first) event's id: the server's duplicate window works on it. */
  msgId: 'Nats-Msg-Id',
});

/** Events one message holds at most, and the body size past which a message is closed. */
export const MESSAGE_MAX_EVENTS = 256;
export const MESSAGE_MAX_BODY_BYTES = 256 * 1024;

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** A message to publish: the events of one append that travel (and are stored) together. */
export interface OutgoingMessage {
  events: NewEvent[];
  headers: MsgHdrs;
  body: Uint8Array;
}

/** An event as a several-event message's body holds it (its id is in the headers). */
interface PackedEvent {
  type: string;
  data: unknown;
  metadata?: Record<string, unknown>;
}

/**
 * The messages an append is published as, in order. One event is one message, as the store has
 * always held them (type and metadata in headers, the data as the body). Several consecutive events
 * of one append go as ONE message (up to MESSAGE_MAX_EVENTS or MESSAGE_MAX_BODY_BYTES): one publish,
 * one JetStream write, one acknowledgement and one delivery to every reader for all of them, and
 * the events of one message are stored together or not at all. They share the message's sequence
 * as their global position, as events of one EventStoreDB append share a commit position.
 */
export function messagesFor(stream: string, firstRevision: number, events: NewEvent[]): OutgoingMessage[] {
  // The common append (one event) is the one-event form at once: nothing to pack or measure.
  if (events.length === 1) return [single(stream, firstRevision, events[0] as NewEvent)];
  const out: OutgoingMessage[] = [];
  let revision = firstRevision;
  let i = 0;
  while (i < events.length) {
    const packed: string[] = [];
    // The body's UTF-8 size: its brackets and, per event, its JSON and a comma (one too many).
    let bytes = 1;
    let j = i;
    for (; j < events.length && j - i < MESSAGE_MAX_EVENTS; j++) {
      const json = packedJson(events[j] as NewEvent);
      const size = Buffer.byteLength(json);
      if (j > i && bytes + size + 1 > MESSAGE_MAX_BODY_BYTES) break;
      packed.push(json);
      bytes += size + 1;
    }
    const chunk = events.slice(i, j);
    out.push(chunk.length === 1 ? single(stream, revision, chunk[0] as NewEvent) : several(stream, revision, chunk, packed, bytes));
    revision += chunk.length;
    i = j;
  }
  return out;
}

function hasMetadata(e: NewEvent): e is NewEvent & { metadata: Record<string, unknown> } {
  return e.metadata !== undefined && Object.keys(e.metadata).length > 0;
}

function packedEvent(e: NewEvent): PackedEvent {
  return { type: e.type, data: e.data ?? null, ...(hasMetadata(e) ? { metadata: e.metadata } : {}) };
}

/** JSON.stringify(packedEvent(e)), with the data's JSON its writer made where there is one. */
function packedJson(e: NewEvent): string {
  const data = dataJsonOf(e);
  if (data === undefined) return JSON.stringify(packedEvent(e));
  return `{"type":${JSON.stringify(e.type)},"data":${data}${hasMetadata(e) ? `,"metadata":${JSON.stringify(e.metadata)}` : ''}}`;
}

/** The headers every message has: its stream, its first event's revision and id (the server's duplicate window works on it). */
function baseHeaders(stream: string, revision: number, first: NewEvent): MsgHdrs {
  const h = natsHeaders();
  h.set(EvidenceHeaders.stream, stream);
  h.set(EvidenceHeaders.revision, String(revision));
  h.set(EvidenceHeaders.msgId, first.eventId);
  return h;
}

/** The tags header of a message whose events all have tags. */
function setTags(h: MsgHdrs, events: readonly NewEvent[]): void {
  if (!events.every((e) => e.tags !== undefined)) return;
  // ASCII only: a header value is one line of text; JSON escapes line breaks, this the rest.
  const json = JSON.stringify(events.map((e) => [e.type, e.tags])).replace(/[\u007f-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
  h.set(EvidenceHeaders.tags, json);
}

function single(stream: string, revision: number, e: NewEvent): OutgoingMessage {
  const h = baseHeaders(stream, revision, e);
  h.set(EvidenceHeaders.eventType, e.type);
  if (hasMetadata(e)) h.set(EvidenceHeaders.metadata, JSON.stringify(e.metadata));
  setTags(h, [e]);
  return { events: [e], headers: h, body: encoder.encode(dataJsonOf(e)) };
}

function several(stream: string, revision: number, events: NewEvent[], packed: string[], bytes: number): OutgoingMessage {
  const h = baseHeaders(stream, revision, events[0] as NewEvent);
  h.set(EvidenceHeaders.count, String(events.length));
  h.set(EvidenceHeaders.eventIds, events.map((e) => e.eventId).join(' '));
  setTags(h, events);
  return { events, headers: h, body: jsonArray(packed, bytes) };
}

/**
 * `[a,b,…]` as UTF-8, each event's JSON written straight into the body. A batch's body is tens of
 * kilobytes: joining the JSON into one string first and encoding that copied it twice more (the
 * join, then flattening the bracketed string), each copy into memory just allocated.
 */
function jsonArray(items: string[], bytes: number): Uint8Array {
  const body = Buffer.allocUnsafeSlow(bytes);
  let at = 0;
  items.forEach((json, k) => {
    body[at++] = k === 0 ? OPEN_BRACKET : COMMA;
    at += body.write(json, at);
  });
  body[at++] = CLOSE_BRACKET;
  if (at !== bytes) throw new Error(`packed body is ${at} bytes, not the ${bytes} measured`);
  return new Uint8Array(body.buffer, body.byteOffset, bytes);
}

const OPEN_BRACKET = 0x5b;
const COMMA = 0x2c;
const CLOSE_BRACKET = 0x5d;

/** What the headers alone tell of a stored message: its events' ids and first revision, and its form. */
export interface StoredIds {
  revision: number;
  ids: string[];
  /** Several events, their bodies in one JSON array (else one event, its data as the body). */
  packed: boolean;
}

export function storedIds(h: MsgHdrs | undefined, subject: string): StoredIds {
  const revision = revisionOf(h, subject);
  const count = h?.get(EvidenceHeaders.count);
  if (!count) return { revision, ids: [h?.get(EvidenceHeaders.msgId) ?? ''], packed: false };
  const ids = (h?.get(EvidenceHeaders.eventIds) ?? '').split(' ');
  if (ids.length !== Number(count)) throw new Error(`message on ${subject}: ${EvidenceHeaders.eventIds} does not name ${count} events`);
  return { revision, ids, packed: true };
}

/** The events a stored message holds, in order, as the store returns them. */
export function recordedEvents(
  stream: string,
  subject: string,
  seq: number,
  h: MsgHdrs | undefined,
  data: Uint8Array,
  time: Date,
): RecordedEvent[] {
  const recordedAt = time.toISOString();
  const { revision, ids, packed } = storedIds(h, subject);
  if (!packed) {
    const metadata = h?.get(EvidenceHeaders.metadata);
    return [
      {
        stream,
        revision,
        globalPosition: seq,
        eventId: ids[0] as string,
        type: h?.get(EvidenceHeaders.eventType) ?? '',
        data: data.length > 0 ? JSON.parse(decoder.decode(data)) : null,
        metadata: metadata ? (JSON.parse(metadata) as Record<string, unknown>) : {},
        recordedAt,
      },
    ];
  }
  const events = JSON.parse(decoder.decode(data)) as PackedEvent[];
  if (!Array.isArray(events) || events.length !== ids.length) throw new Error(`message on ${subject}: its body does not hold ${ids.length} events`);
  return events.map((p, i) => ({
    stream,
    revision: revision + i,
    globalPosition: seq,
    eventId: ids[i] as string,
    type: p.type,
    data: p.data ?? null,
    metadata: p.metadata ?? {},
    recordedAt,
  }));
}

export function revisionOf(h: MsgHdrs | undefined, subject: string): number {
  const raw = h?.get(EvidenceHeaders.revision);
  const n = raw ? Number(raw) : NaN;
  if (!Number.isSafeInteger(n) || n < 0) {
    // A message published on an evidence subject by something else than this store.
    throw new Error(`message on ${subject} has no valid ${EvidenceHeaders.revision} header`);
  }
  return n;
}

/**
 * The events of a stored message as a tags follower gets them, from the headers alone; undefined
 * when the message carries no tags (its events are then read in full and their tags derived).
 */
export function taggedEvents(stream: string, subject: string, seq: number, h: MsgHdrs | undefined, time: Date): TaggedEvent[] | undefined {
  const raw = h?.get(EvidenceHeaders.tags);
  if (!raw) return undefined;
  const { revision, ids } = storedIds(h, subject);
  const pairs = JSON.parse(raw) as unknown;
  if (!Array.isArray(pairs) || pairs.length !== ids.length) throw new Error(`message on ${subject}: ${EvidenceHeaders.tags} does not hold ${ids.length} events`);
  const recordedAt = time.toISOString();
  return pairs.map((pair: unknown, i) => {
    if (!Array.isArray(pair) || typeof pair[0] !== 'string' || pair[1] === null || typeof pair[1] !== 'object') {
      throw new Error(`message on ${subject}: ${EvidenceHeaders.tags} entry ${i} is not a [type, tags] pair`);
    }
    return { stream, revision: revision + i, globalPosition: seq, eventId: ids[i] as string, type: pair[0], tags: pair[1] as EventTags, recordedAt };
  });
}

