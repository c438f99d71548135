import type { EventStore } from '@chaperone/event-store';
import type { GeneratedEvent } from './generate-history';

interface StreamTail {
  revision: number | 'no_stream';
  /** The stream's last queued append. */
  last: Promise<void>;
  pending: number;
}

/**
 * Append generated events to the store: in order within each stream (exact expected revisions, as
 * the audit and approval services append), up to `concurrency` streams at once, so the store's
 * global order interleaves sessions as real traffic does. The generator emits a session's events
 * together; they queue behind each other on their stream and do not take more than one slot.
 */
export async function writeHistory(
  store: EventStore,
  events: Iterable<GeneratedEvent>,
  opts: { concurrency?: number; onProgress?: (written: number) => void } = {},
): Promise<number> {
  const concurrency = opts.concurrency ?? 32;
  const tails = new Map<string, StreamTail>();
  const drained = new Map<string, Promise<void>>();
  let written = 0;
  let failure: unknown;
  for (const g of events) {
    if (failure) break;
    let tail = tails.get(g.stream);
    if (!tail) {
      while (drained.size >= concurrency) await Promise.race(drained.values());
      tail = { revision: 'no_stream', last: Promise.resolve(), pending: 0 };
      tails.set(g.stream, tail);
      const t = tail;
      // A stream may exist already (the agent registry of an earlier run): start after its tail.
      t.last = store.readLastEvent(g.stream).then((e) => void (t.revision = e?.revision ?? 'no_stream'));
    }
    const t = tail;
    t.pending++;
    t.last = t.last.then(async () => {
      if (failure) return;
      const r = await store.append(g.stream, [g.event], { expectedRevision: t.revision });
      t.revision = r.nextExpectedRevision;
      written++;
      if (written % 10_000 === 0) opts.onProgress?.(written);
    });
    const stream = g.stream;
    const done = t.last.then(
      () => {
        if (--t.pending === 0 && drained.get(stream) === done) drained.delete(stream);
      },
      (e: unknown) => {
        failure ??= e;
        drained.delete(stream);
      },
    );
    drained.set(stream, done);
  }
  await Promise.all(drained.values());
  if (failure) throw failure;
  return written;
}
