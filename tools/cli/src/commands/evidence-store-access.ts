import { readFileSync } from 'node:fs';
import type { KeyObject } from 'node:crypto';
import { connect, type NatsConnection } from 'nats';
import { busSubjects } from '@chaperone/contracts';
import { loadPrivateKey, loadPublicKey } from '@chaperone/evidence-chain';
import { EventStoreDBEventStore, JetStreamEventStore, type EventStore } from '@chaperone/event-store';
import { option, type ParsedArgs } from '../args';
import { UsageError } from '../command';

/** The options every command that reads the evidence store directly takes. */
export const STORE_OPTIONS = ['nats-url', 'bus-prefix', 'event-store'] as const;
export const STORE_OPTIONS_USAGE = `  --nats-url         NATS with the JetStream store (env CHAPERONE_NATS_URL; nats://127.0.0.1:4222)
  --bus-prefix       the deployment's bus prefix (env CHAPERONE_BUS_PREFIX; chaperone)
  --event-store      jetstream (default) or eventstoredb (env CHAPERONE_EVENT_STORE; EventStoreDB
                     reads EVENTSTORE_CONNECTION_STRING)`;

export interface OpenedStore {
  store: EventStore;
  /** The NATS connection of a JetStream store (for the blob store next to it); closed by close(). */
  nc?: NatsConnection;
  close(): Promise<void>;
}

/**
 * The evidence store, read only: the JetStream stream must exist already, so a wrong prefix is an
 * error rather than a new empty store (and an empty tree).
 */
export async function openEvidenceStoreReadOnly(args: ParsedArgs, env: Record<string, string | undefined>, clientName: string): Promise<OpenedStore> {
  const kind = option(args, 'event-store', { io: env, name: 'CHAPERONE_EVENT_STORE' }) ?? 'jetstream';
  if (kind === 'eventstoredb') {
    const connection = env['EVENTSTORE_CONNECTION_STRING'];
    if (!connection) throw new UsageError('--event-store eventstoredb needs EVENTSTORE_CONNECTION_STRING');
    const store = EventStoreDBEventStore.fromConnectionString(connection);
    return { store, close: () => store.close() };
  }
  if (kind !== 'jetstream') throw new UsageError(`--event-store must be jetstream or eventstoredb, not ${JSON.stringify(kind.slice(0, 40))}`);
  let subjects;
  try {
    subjects = busSubjects(option(args, 'bus-prefix', { io: env, name: 'CHAPERONE_BUS_PREFIX' }) ?? 'chaperone');
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
  const servers = (option(args, 'nats-url', { io: env, name: 'CHAPERONE_NATS_URL' }) ?? 'nats://127.0.0.1:4222').split(',');
  const nc: NatsConnection = await connect({ servers, name: clientName, maxReconnectAttempts: 0 });
  const info = await (await nc.jetstreamManager()).streams.info(subjects.evidenceStream).catch(() => undefined);
  if (!info) {
    await nc.close();
    throw new Error(`no evidence store ${subjects.evidenceStream} on ${servers.join(',')} (check --bus-prefix)`);
  }
  const store = await JetStreamEventStore.create(nc, { streamName: subjects.evidenceStream, subjectPrefix: subjects.evidenceSubjectPrefix, ensureStream: false });
  return {
    store,
    nc,
    close: async () => {
      await store.close();
      await nc.close();
    },
  };
}

function readKeyFile(file: string, what: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (e) {
    throw new UsageError(`cannot read the ${what} file ${file} (${(e as NodeJS.ErrnoException).code ?? 'error'})`);
  }
}

/** The checkpoint signing key (the audit service's CHAPERONE_CHECKPOINT_KEY_FILE); errors never show the key. */
export function readPrivateKeyFile(file: string): KeyObject {
  return loadPrivateKey(readKeyFile(file, 'private key'));
}

/** One or more public keys, comma-separated files (old and new during a key rotation). */
export function readPublicKeyFiles(files: string): KeyObject[] {
  return files.split(',').map((file) => loadPublicKey(readKeyFile(file, 'public key')));
}
