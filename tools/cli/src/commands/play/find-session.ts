import { ExecSessionRecordedSchema, type ExecSessionRecorded } from '@chaperone/contracts';
import type { EventStore } from '@chaperone/event-store';

/**
 * The ExecSessionRecorded event of a request, read from the evidence store (every agent session
 * stream, in store order; the first match). Undefined when the request recorded no session.
 */
export async function findExecSession(store: EventStore, requestId: string): Promise<ExecSessionRecorded | undefined> {
  const events = await store.readAll({ streamPrefix: 'session-' });
  for (const e of events) {
    if (e.type !== 'ExecSessionRecorded') continue;
    const parsed = ExecSessionRecordedSchema.safeParse(e.data);
    if (parsed.success && parsed.data.requestId === requestId) return parsed.data;
  }
  return undefined;
}
