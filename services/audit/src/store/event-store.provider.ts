import type { NatsConnection } from 'nats';
import type { BusSubjects } from '@chaperone/contracts';
import { InvalidArgument, openEvidenceStore, type EventStore, type EventStoreKind } from '@chaperone/event-store';
import { StartupError } from '@chaperone/service-runtime';

export type { EventStoreKind };

/**
 * The evidence store, selected by configuration (JetStream here and by default, EventStoreDB in
 * production), hash-chained: every event the audit service appends is linked into its stream's chain.
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
