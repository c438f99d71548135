import { WrongExpectedRevision, type EventStore } from '@chaperone/event-store';
import type { ChaperoneEvent } from '@chaperone/contracts';
import type { RevisionCache } from './revision-cache';
import { streamFor } from './stream-name';

export type StoreOutcome = 'stored' | 'duplicate';

/**
 * Append one bus event to its session stream, idempotently by event id: a redelivered event that
 * is already stored is recognised by the store and reported as a duplicate, never stored twice.
 */
export async function storeEvent(
  store: EventStore,
  cache: RevisionCache,
  event: ChaperoneEvent,
  metadata: Record<string, unknown>,
): Promise<StoreOutcome> {
  const stream = streamFor(event.sessionId);
  const append = (expectedRevision: number | 'any') =>
    store.append(stream, [{ eventId: event.eventId, type: event.type, data: event, metadata }], { expectedRevision });
  const cached = cache.get(stream);
  let result;
  try {
    result = await append(cached ?? 'any');
  } catch (e) {
    // Another replica (or an earlier life of this one) moved the stream on: ask the store.
    if (!(e instanceof WrongExpectedRevision) || cached === undefined) throw e;
    cache.forget(stream);
    result = await append('any');
  }
  cache.set(stream, result.nextExpectedRevision);
  return result.duplicate ? 'duplicate' : 'stored';
}
