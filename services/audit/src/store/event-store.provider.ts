import type { NatsConnection } from 'nats';
import type { BusSubjects } from '@chaperone/contracts';
import { EventStoreDBEventStore, JetStreamEventStore, type EventStore } from '@chaperone/event-store';
import { StartupError } from '@chaperone/service-runtime';

export type EventStoreKind = 'jetstream' | 'eventstoredb';

/** The evidence store, selected by configuration: JetStream here and by default, EventStoreDB in production. */
export async function openEventStore(
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
