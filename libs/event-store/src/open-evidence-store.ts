import type { NatsConnection } from 'nats';
import { chainedEventStore, type ChainedEventStore } from './chained';
import { EventStoreDBEventStore } from './eventstoredb';
import { JetStreamEventStore } from './jetstream';
import { InvalidArgument } from './port';

export const EventStoreKinds = Object.freeze(['jetstream', 'eventstoredb'] as const);
export type EventStoreKind = (typeof EventStoreKinds)[number];

export interface OpenEvidenceStoreOptions {
  kind: EventStoreKind;
  /** JetStream: the connection (not owned by the store), stream and subject prefix (BusSubjects.evidenceStream / evidenceSubjectPrefix). */
  nc: NatsConnection;
  streamName: string;
  subjectPrefix: string;
  /** EventStoreDB: its connection string (a secret: never echoed). */
  eventStoreConnection: string | undefined;
}

/**
 * The evidence store every writer uses: the configured adapter (JetStream here and by default,
 * EventStoreDB in production) behind the hash-chaining decorator, so every stream is a chain.
 */
export async function openEvidenceStore(opts: OpenEvidenceStoreOptions): Promise<ChainedEventStore> {
  switch (opts.kind) {
    case 'jetstream':
      return chainedEventStore(await JetStreamEventStore.create(opts.nc, { streamName: opts.streamName, subjectPrefix: opts.subjectPrefix }));
    case 'eventstoredb':
      if (!opts.eventStoreConnection) {
        throw new InvalidArgument('CHAPERONE_EVENT_STORE=eventstoredb needs EVENTSTORE_CONNECTION_STRING (e.g. esdb://eventstore:2113?tls=false)');
      }
      return chainedEventStore(EventStoreDBEventStore.fromConnectionString(opts.eventStoreConnection));
    default: {
      const unhandled: never = opts.kind;
      throw new InvalidArgument(`unknown event store ${String(unhandled)}`);
    }
  }
}
