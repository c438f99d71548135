import type { EventStore } from '@chaperone/event-store';
import type { GeneratedEvent } from './generate-history';

/**
 * Append generated events to the store: in order within each stream (exact expected revisions, as
 * the audit and approval services append), up to `concurrency` streams at once, so the store's
 * global order interleaves sessions as real traffic does.
 */
export async function writeHistory(
  store: EventStore,
  events: Iterable<GeneratedEvent>,
  opts: { concurrency?: number; onProgress?: (written: number) => void } = {},
): Promise<number> {
  const concurrency = opts.concurrency ?? 32;
  const tails = new Map<string, { revision: number | 'no_stream'; last: Promise<void> }>();
  const inFlight = new Set<Promise<void>>();
  let written = 0;
  let failure: unknown;
  const initial = Promise.resolve();
  for (const g of events) {
    if (failure) break;
    let tail = tails.get(g.stream);
    if (!tail) tails.set(g.stream, (tail = { revision: 'no_stream', last: initial }));
    const t = tail;
    const first = t.last === initial;
    const p = t.last.then(async () => {
      // A stream may exist already (the agent registry of an earlier run): start after its tail.
      if (first) t.revision = (await store.readLastEvent(g.stream))?.revision ?? 'no_stream';
      const r = await store.append(g.stream, [g.event], { expectedRevision: t.revision });
      t.revision = r.nextExpectedRevision;
      written++;
      if (written % 10_000 === 0) opts.onProgress?.(written);
    });
    t.last = p.catch(() => undefined);
    const tracked = p.catch((e: unknown) => void (failure ??= e)).finally(() => inFlight.delete(tracked));
    inFlight.add(tracked);
    if (inFlight.size >= concurrency) await Promise.race(inFlight);
  }
  await Promise.all(inFlight);
  if (failure) throw failure;
  return written;
}
