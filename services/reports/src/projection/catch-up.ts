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
    // The events applied at the checkpoint's position come back first and are skipped
    // (applyRecorded): asked for on top of the page, so that each read brings up to pageSize new
    // ones, however many events share that position.
    const again = model.position === from ? model.atPosition.length : 0;
    const page = await store.readAll({ fromPosition: from, maxCount: pageSize + again });
    const before = model.applied;
    for (const e of page) applyRecorded(model, e);
    read += model.applied - before;
    if (page.length < pageSize + again) return read;
  }
}

/**
 * Where to read from to miss nothing: the checkpoint itself (the events of one append may share a
 * position and only some be applied; applyRecorded skips the others), or 1 for an empty model.
 */
export function resumeAt(model: ReadModel): number {
  return Math.max(model.position, 1);
}
