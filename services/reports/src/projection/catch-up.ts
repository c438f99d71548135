import type { EventStore } from '@chaperone/event-store';
import { applyRecorded, type ReadModel } from '../read-model';

export const CATCH_UP_PAGE = 5000;

/**
 * Apply every stored event after the model's checkpoint, page by page, until the store has no more.
 * Used at start (after a snapshot, or from zero) and by rebuilds; live events then come from a
 * catch-up subscription starting after the position reached. Returns the events read.
 */
export async function catchUp(store: EventStore, model: ReadModel, pageSize = CATCH_UP_PAGE): Promise<number> {
  let read = 0;
  for (;;) {
    const page = await store.readAll({ fromPosition: model.position + 1, maxCount: pageSize });
    for (const e of page) applyRecorded(model, e);
    read += page.length;
    if (page.length < pageSize) return read;
  }
}
