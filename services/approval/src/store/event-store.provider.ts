import type { NatsConnection } from 'nats';
import type { BusSubjects } from '@chaperone/contracts';
import { EventStoreDBEventStore, JetStreamEventStore, type EventStore } from '@chaperone/event-store';
import { StartupError } from '@chaperone/service-runtime';

export type EventStoreKind = 'jetstream' | 'eventstoredb';

/**
 * The event store the approval streams live in: the same store (and so the same evidence) as the
 * audit service's, selected the same way.
 */
export async function openEventStore(
  kind: EventStoreKind,
  deps: { nc: NatsConnection; subjects: BusSubjects; eventStoreConnection: string | undefined },
): Promise<EventStore> {
  return withEvidenceChain(await openPlainStore(kind, deps));
}

/**
 * THE place where the hash-chain decorator goes (libs/evidence-chain, `chainedEventStore(store)`)
 * once it lands: every approval event would then carry its chain link like every other stream.
 * Until then the store is used as is.
 */
function withEvidenceChain(store: EventStore): EventStore {
  return store;
}

async function openPlainStore(
  kind: EventStoreKind,
  deps: { nc: NatsConnection; subjects: BusSubjects; eventStoreConnection: string | undefined },
): Promise<EventStore> {
  switch (kind) {
    case 'jetstream':
      return JetStreamEventStore.create(deps.nc, {
        streamName: deps.subjects.evidenceStream,
        subjectPrefix: deps.subjects.evidenceSubjectPrefix,
      });
    case 'eventstoredb':
      if (!deps.eventStoreConnection) {
        throw new StartupError('CHAPERONE_EVENT_STORE=eventstoredb needs EVENTSTORE_CONNECTION_STRING (e.g. esdb://eventstore:2113?tls=false)');
      }
      return EventStoreDBEventStore.fromConnectionString(deps.eventStoreConnection);
    default: {
      const unhandled: never = kind;
      throw new StartupError(`unknown event store ${String(unhandled)}`);
    }
  }
}
