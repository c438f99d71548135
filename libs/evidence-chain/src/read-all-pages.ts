import { ResumePoint } from './resume-point';
import type { RecordedEventLike } from './verify';

/** A store that reads events in global order, a page at a time. */
export interface PagedEventReader {
  readAll(opts?: { fromPosition?: number; maxCount?: number }): Promise<Array<RecordedEventLike & { globalPosition: number }>>;
}

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
  cursor = new ResumePoint(),
): Promise<number> {
  for (;;) {
    // The events already taken at the cursor's position come back first and are skipped: asked
    // for on top of the page, so that each read brings up to pageSize new ones.
    const maxCount = pageSize + cursor.appliedHere;
    const page = await store.readAll({ fromPosition: cursor.position, maxCount });
    for (const e of page) {
      if (!cursor.isNew(e)) continue;
      cursor.passed(e);
      onEvent(e);
    }
    if (page.length < maxCount) return cursor.position;
  }
}
