import type { EventStore } from '@chaperone/event-store';
import type { ChaperoneEvent } from '@chaperone/contracts';
import { streamFor } from './stream-name';

export type StoreOutcome = 'stored' | 'duplicate';

/**
 * Append one bus event to its session stream exactly once.
 *
 * A partition hands out one event at a time across all audit replicas, and the next only after
 * this one is acknowledged; so a redelivered event (crash or lost ack after the append) can only
 * be the last event of its stream. One tail lookup therefore recognises it, and the append names
 * the exact expected revision: a concurrent writer would be refused by the store, not interleaved.
 */
export async function storeEvent(store: EventStore, event: ChaperoneEvent, metadata: Record<string, unknown>): Promise<StoreOutcome> {
  const stream = streamFor(event.sessionId);
  const last = await store.readLastEvent(stream);
  if (last?.eventId === event.eventId) return 'duplicate';
  const result = await store.append(stream, [{ eventId: event.eventId, type: event.type, data: event, metadata }], {
    expectedRevision: last ? last.revision : 'no_stream',
  });
  return result.duplicate ? 'duplicate' : 'stored';
}
