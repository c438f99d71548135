import type { NatsConnection } from 'nats';
import type { BusSubjects } from '@chaperone/contracts';
import { InvalidArgument, openEvidenceStore, type EventStore, type EventStoreKind } from '@chaperone/event-store';
import { StartupError } from '@chaperone/service-runtime';

export type { EventStoreKind };

/**
 * The evidence store the approval streams live in: the same store, selected the same way and
 * hash-chained the same way as every other writer's, so `approval-<id>` streams verify like the rest.
 */
export async function openEventStore(
  kind: EventStoreKind,
  deps: { nc: NatsConnection; subjects: BusSubjects; eventStoreConnection: string | undefined },
): Promise<EventStore> {
  try {
    return await openEvidenceStore({
      kind,
      nc: deps.nc,
      streamName: deps.subjects.evidenceStream,
      subjectPrefix: deps.subjects.evidenceSubjectPrefix,
      eventStoreConnection: deps.eventStoreConnection,
    });
  } catch (err) {
    if (err instanceof InvalidArgument) throw new StartupError(err.message);
    throw err;
  }
}
