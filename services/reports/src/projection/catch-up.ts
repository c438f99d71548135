import type { EventStore } from '@chaperone/event-store';
import { applyRecorded, type ReadModel } from '../read-model';

export const CATCH_UP_PAGE = 5000;

/**
 * Apply every stored event from the model's checkpoint on, page by page, until the store has no more.
 * Used at start (after a snapshot, or from zero) and by rebuilds; live events then come from a
 * catch-up subscription starting after the position reached. Returns the events read.
 */
export async function catchUp(store: EventStore, model: ReadModel, pageSize = CATCH_UP_PAGE): Promise<number> {
  let read = 0;
  for (;;) {
    const from = resumeAt(model);
    const page = await store.readAll({ fromPosition: from, maxCount: pageSize });
    const before = model.applied;
    for (const e of page) applyRecorded(model, e);
    read += model.applied - before;
    if (page.length < pageSize) return read;
    // A whole page at one position, all applied before: move past it.
    if (model.applied === before) {
      model.position = from + 1;
      model.atPosition = [];
    }
  }
}

/**
 * Where to read from to miss nothing: the checkpoint itself (the events of one append may share a
 * position and only some be applied; applyRecorded skips the others), or 1 for an empty model.
 */
export function resumeAt(model: ReadModel): number {
  return Math.max(model.position, 1);
}
