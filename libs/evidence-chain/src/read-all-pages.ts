import type { RecordedEventLike } from './verify';

/** A store that reads events in global order, a page at a time. */
export interface PagedEventReader {
  readAll(opts?: { fromPosition?: number; maxCount?: number }): Promise<Array<RecordedEventLike & { globalPosition: number }>>;
}

/**
 * Every event of the store in global order, in pages of pageSize; resolves with the last position
 * read (0 for an empty store). Some stores (EventStoreDB) give the events of one append one
 * position, so each page re-reads the last position of the one before and skips what it already
 * delivered there.
 */
export async function readAllPages(
  store: PagedEventReader,
  pageSize: number,
  onEvent: (e: RecordedEventLike & { globalPosition: number }) => void,
): Promise<number> {
  let from = 0;
  let through = 0;
  let seenAtLast = new Set<string>();
  for (;;) {
    const page = await store.readAll({ fromPosition: from, maxCount: pageSize });
    let fresh = 0;
    for (const e of page) {
      if (e.globalPosition === from && seenAtLast.has(e.eventId)) continue;
      fresh++;
      if (e.globalPosition !== through) seenAtLast = new Set();
      seenAtLast.add(e.eventId);
      through = e.globalPosition;
      onEvent(e);
    }
    if (page.length < pageSize) return through;
    // Nothing new at a re-read position: every event there was delivered, move past it.
    from = fresh === 0 ? through + 1 : through;
  }
}
