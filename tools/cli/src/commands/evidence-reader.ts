import { connect, type NatsConnection } from 'nats';
import { busSubjects, type BusSubjects } from '@chaperone/contracts';
import { EventStoreDBEventStore, JetStreamEventStore, type EventStore } from '@chaperone/event-store';
import { option, type ParsedArgs } from '../args';
import { UsageError, type Io } from '../command';

/** Options of every command that reads the evidence store directly. */
export const EVIDENCE_OPTIONS = ['nats-url', 'bus-prefix', 'event-store'] as const;
export const EVIDENCE_OPTIONS_USAGE = `  --nats-url         NATS with the JetStream store (env CHAPERONE_NATS_URL; nats://127.0.0.1:4222)
  --bus-prefix       the deployment's bus prefix (env CHAPERONE_BUS_PREFIX; chaperone)
  --event-store      jetstream (default) or eventstoredb (env CHAPERONE_EVENT_STORE; EventStoreDB
                     reads EVENTSTORE_CONNECTION_STRING)`;

export interface EvidenceReader {
  store: EventStore;
  /** The NATS connection (JetStream store), also what a JetStream blob store is read through. */
  nc: NatsConnection | undefined;
  subjects: BusSubjects;
  close(): Promise<void>;
}

/**
 * Opens the evidence store read-only, as the options and environment say: the JetStream stream of
 * the bus prefix (never created: a wrong prefix is an error, not a new empty store) or EventStoreDB.
 */
export async function openEvidenceReader(args: ParsedArgs, io: Io, name: string): Promise<EvidenceReader> {
  const kind = option(args, 'event-store', { io: io.env, name: 'CHAPERONE_EVENT_STORE' }) ?? 'jetstream';
  if (kind !== 'jetstream' && kind !== 'eventstoredb') throw new UsageError(`--event-store must be jetstream or eventstoredb, not ${JSON.stringify(kind.slice(0, 40))}`);
  let subjects: BusSubjects;
  try {
    subjects = busSubjects(option(args, 'bus-prefix', { io: io.env, name: 'CHAPERONE_BUS_PREFIX' }) ?? 'chaperone');
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
  const servers = (option(args, 'nats-url', { io: io.env, name: 'CHAPERONE_NATS_URL' }) ?? 'nats://127.0.0.1:4222').split(',');
  if (kind === 'eventstoredb') {
    const connection = io.env['EVENTSTORE_CONNECTION_STRING'];
    if (!connection) throw new UsageError('--event-store eventstoredb needs EVENTSTORE_CONNECTION_STRING');
    const store = EventStoreDBEventStore.fromConnectionString(connection);
    return { store, nc: undefined, subjects, close: () => store.close() };
  }
  const nc = await connect({ servers, name: `chaperone-${name}`, maxReconnectAttempts: 0 });
  const info = await (await nc.jetstreamManager()).streams.info(subjects.evidenceStream).catch(() => undefined);
  if (!info) {
    await nc.close();
    throw new Error(`no evidence store ${subjects.evidenceStream} on ${servers.join(',')} (check --bus-prefix)`);
  }
  const store = await JetStreamEventStore.create(nc, { streamName: subjects.evidenceStream, subjectPrefix: subjects.evidenceSubjectPrefix, ensureStream: false });
  return {
    store,
    nc,
    subjects,
    close: async () => {
      await store.close();
      await nc.close();
    },
  };
}
