import type { RecordedEventLike } from './verify';

/** A store that reads events in global order, a page at a time. */
export interface PagedEventReader {
  readAll(opts?: { fromPosition?: number; maxCount?: number }): Promise<Array<RecordedEventLike & { globalPosition: number }>>;
}

/**
 * Where a reader of the store stands: the last position it read and the ids of the events it took
 * there (a store may give one append's events one position, and a page may end among them).
 */
export interface PageCursor {
  position: number;
  seenAtPosition: Set<string>;
}

/** A cursor at the start of the store. */
export const storeStart = (): PageCursor => ({ position: 0, seenAtPosition: new Set() });

/**
 * Every event of the store in global order from the cursor on (default: the start), in pages of
 * pageSize; moves the cursor and resolves with the last position read (0 for an empty store). Some
 * stores (EventStoreDB, and JetStream for the events of one message) give several events one
 * position, so each page re-reads the last position of the one before and skips what it already
 * delivered there (a page may end among one position's events).
 */
export async function readAllPages(
  store: PagedEventReader,
  pageSize: number,
  onEvent: (e: RecordedEventLike & { globalPosition: number }) => void,
  cursor: PageCursor = storeStart(),
): Promise<number> {
  for (;;) {
    // The events already taken at the cursor's position come back first and are skipped: asked
    // for on top of the page, so that each read brings up to pageSize new ones.
    const again = cursor.seenAtPosition.size;
    const page = await store.readAll({ fromPosition: cursor.position, maxCount: pageSize + again });
    const at = cursor.position;
    for (const e of page) {
      if (e.globalPosition === at && cursor.seenAtPosition.has(e.eventId)) continue;
      if (e.globalPosition !== cursor.position) cursor.seenAtPosition = new Set();
      cursor.seenAtPosition.add(e.eventId);
      cursor.position = e.globalPosition;
      onEvent(e);
    }
    if (page.length < pageSize + again) return cursor.position;
  }
}
