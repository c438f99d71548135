import type { ChainedEventStore } from '@chaperone/event-store';
import { isAfterTail, notStored, toNewEvent, type BusEvent, type StreamBatch } from './batch-plan';

export interface StreamBatchOutcome {
  /** Appended now, in order. */
  stored: BusEvent[];
  /** Already in the stream (a redelivery), not appended again. */
  already: number;
}

/**
 * Append one stream's events of a partition batch as ONE append, exactly once by event id.
 *
 * The stream's tail comes from the store's memory (this replica is the partition's only writer
 * while it holds the lease), so the steady state costs no lookup: one publish per event. When the
 * tail does not show that the events are all new (a redelivery after a crash, a lost
 * acknowledgement, `scan` after an id conflict), the stream's event ids are read (not their data:
 * a session may be long) and only the events it does not hold are appended: a batch cut short by
 * a crash is completed, never stored twice. The append names the tail's exact revision, so a
 * writer that raced in (a replica that lost its lease mid-append) makes the store refuse it
 * (WrongExpectedRevision), and the caller decides again.
 */
export async function storeStreamBatch(store: ChainedEventStore, batch: StreamBatch, partition: number, opts: { scan: boolean }): Promise<StreamBatchOutcome> {
  const tail = await store.tailOf(batch.stream);
  let todo = batch.events;
  if (tail && (opts.scan || !isAfterTail(batch.events, tail))) {
    const stored = new Set((await store.readStreamRefs(batch.stream)).map((e) => e.eventId));
    todo = notStored(batch.events, stored);
  }
  if (todo.length === 0) return { stored: [], already: batch.events.length };
  const result = await store.append(
    batch.stream,
    todo.map((e) => toNewEvent(e, partition)),
    { expectedRevision: tail ? tail.revision : 'no_stream' },
  );
  if (result.duplicate) return { stored: [], already: batch.events.length };
  return { stored: todo, already: batch.events.length - todo.length };
}
