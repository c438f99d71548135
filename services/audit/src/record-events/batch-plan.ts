import type { ChaperoneEvent } from '@chaperone/contracts';
import type { NewEvent } from '@chaperone/event-store';
import { requestTagsOf } from '../reconcile/request-tags';
import { streamFor } from './stream-name';

/** One event as it came off the bus: the event and the sequence of the message that carried it. */
export interface BusEvent {
  event: ChaperoneEvent;
  /** Stream sequence of its message on the events stream (several events may share one). */
  busSequence: number;
}

/** The events of one session stream in a partition batch, in bus order. */
export interface StreamBatch {
  stream: string;
  events: BusEvent[];
}

/** Metadata members the audit service stores with every event (where it came from on the bus). */
export const BusMetadata = Object.freeze({
  busSequence: 'busSequence',
  partition: 'partition',
});

const NOTHING_STORED = { has: (): boolean => false };

/**
 * A partition batch's events grouped by session stream, each group in bus order, groups in the
 * order of their first event. An event id that comes twice in the batch (a message delivered
 * again, or an event published again under another message id) is kept once, at its first place;
 * one `stored` knows (the writer stored it lately, RecentIds) is not kept. Both are `repeated`.
 */
export function groupByStream(events: readonly BusEvent[], stored: { has(eventId: string): boolean } = NOTHING_STORED): { streams: StreamBatch[]; repeated: BusEvent[] } {
  const streams = new Map<string, StreamBatch>();
  const seen = new Set<string>();
  const repeated: BusEvent[] = [];
  for (const e of events) {
    if (seen.has(e.event.eventId) || stored.has(e.event.eventId)) {
      repeated.push(e);
      continue;
    }
    seen.add(e.event.eventId);
    const stream = streamFor(e.event.sessionId);
    let group = streams.get(stream);
    if (!group) {
      group = { stream, events: [] };
      streams.set(stream, group);
    }
    group.events.push(e);
  }
  return { streams: [...streams.values()], repeated };
}

/**
 * True when none of these events can be stored yet, judged from the stream's last stored event
 * alone: every one came on the bus after the tail's message, and the tail is not one of them.
 * A partition's events are stored in bus order by one writer at a time, so an event already
 * stored (by a writer that crashed before acknowledging, or before its acknowledgement arrived)
 * sits at or before the tail, with a bus sequence no greater than the tail's. False means: look
 * at what the stream holds. A tail without a bus sequence (not written by the audit service, or
 * from another events stream) is always looked at.
 */
export function isAfterTail(events: readonly BusEvent[], tail: { eventId: string; metadata: Readonly<Record<string, unknown>> }): boolean {
  const tailSequence = tail.metadata[BusMetadata.busSequence];
  if (typeof tailSequence !== 'number') return false;
  return events.every((e) => e.busSequence > tailSequence && e.event.eventId !== tail.eventId);
}

/** The events whose id is not among the stored ones, in order. */
export function notStored(events: readonly BusEvent[], storedIds: ReadonlySet<string>): BusEvent[] {
  return events.filter((e) => !storedIds.has(e.event.eventId));
}

/** What the audit service appends for one bus event: with the reconciler's tags (request-tags.ts). */
export function toNewEvent(e: BusEvent, partition: number): NewEvent {
  return {
    eventId: e.event.eventId,
    type: e.event.type,
    data: e.event,
    metadata: { [BusMetadata.busSequence]: e.busSequence, [BusMetadata.partition]: partition },
    tags: requestTagsOf({ type: e.event.type, data: e.event }),
  };
}
