import type { NatsConnection } from 'nats';
import type { BusSubjects } from '@chaperone/contracts';
import { InvalidArgument, openEvidenceStore, type ChainedEventStore, type EventStoreKind } from '@chaperone/event-store';
import { StartupError } from './startup-error';

/**
 * The evidence store every writer and reader uses, selected by `eventStoreSettings()` (JetStream here
 * and by default, EventStoreDB in production) and hash-chained, so every service's streams verify
 * alike. A misconfiguration is a StartupError (the service exits with the reason).
 */
export async function openServiceEventStore(
  config: { eventStore: EventStoreKind; eventStoreConnection?: string | undefined },
  deps: { nc: NatsConnection; subjects: BusSubjects },
): Promise<ChainedEventStore> {
  try {
    return await openEvidenceStore({
      kind: config.eventStore,
      nc: deps.nc,
      streamName: deps.subjects.evidenceStream,
      subjectPrefix: deps.subjects.evidenceSubjectPrefix,
      eventStoreConnection: config.eventStoreConnection,
    });
  } catch (err) {
    if (err instanceof InvalidArgument) throw new StartupError(err.message);
    throw err;
  }
}
