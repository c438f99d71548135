import { connect, type NatsConnection } from 'nats';
import { JetStreamBlobStore, bucketStreamName, openBlobStore, type BlobStore } from '@chaperone/blob-store';
import { busSubjects, type BusSubjects } from '@chaperone/contracts';
import { chainedEventStore, EventStoreDBEventStore, JetStreamEventStore, type EventStore } from '@chaperone/event-store';
import { option, type ParsedArgs } from '../args';
import { UsageError, type Io } from '../command';

/** The options of the commands that read the evidence store directly (verify, recordings). */
export const EVIDENCE_OPTIONS = ['nats-url', 'bus-prefix', 'event-store', 'blob-store', 'blob-bucket'] as const;
export const EVIDENCE_OPTIONS_USAGE = `  --nats-url         NATS with the JetStream store (env CHAPERONE_NATS_URL; nats://127.0.0.1:4222)
  --bus-prefix       the deployment's bus prefix (env CHAPERONE_BUS_PREFIX; chaperone)
  --event-store      jetstream (default) or eventstoredb (env CHAPERONE_EVENT_STORE; EventStoreDB
                     reads EVENTSTORE_CONNECTION_STRING)
  --blob-store       where recorded bodies are: jetstream (default) or s3 (env CHAPERONE_BLOB_STORE;
                     S3 reads CHAPERONE_S3_BUCKET, CHAPERONE_S3_REGION, CHAPERONE_S3_ENDPOINT,
                     CHAPERONE_S3_FORCE_PATH_STYLE and the AWS SDK's credentials)
  --blob-bucket      the JetStream object-store bucket (env CHAPERONE_BLOB_BUCKET; <bus prefix>-blobs)`;

/** An open evidence store (and the NATS connection it needs), closed together. */
export interface EvidenceConnection {
  store: EventStore;
  subjects: BusSubjects;
  nc: NatsConnection | undefined;
  /** The blob store of recorded bodies, opened on first use (read-only: no bucket is created). */
  blobs(): Promise<BlobStore>;
  close(): Promise<void>;
}

/**
 * Opens the evidence store named by the options, read as it is: a missing store or bucket is an
 * error naming it (a wrong prefix must not look like an empty store). `write` puts the store
 * behind the hash-chaining decorator, as every writer of the evidence store does.
 */
export async function openEvidence(args: ParsedArgs, io: Io, opts: { write?: boolean; name: string }): Promise<EvidenceConnection> {
  const kind = option(args, 'event-store', { io: io.env, name: 'CHAPERONE_EVENT_STORE' }) ?? 'jetstream';
  if (kind !== 'jetstream' && kind !== 'eventstoredb') throw new UsageError(`--event-store must be jetstream or eventstoredb, not ${JSON.stringify(kind.slice(0, 40))}`);
  const blobKind = option(args, 'blob-store', { io: io.env, name: 'CHAPERONE_BLOB_STORE' }) ?? 'jetstream';
  if (blobKind !== 'jetstream' && blobKind !== 's3') throw new UsageError(`--blob-store must be jetstream or s3, not ${JSON.stringify(blobKind.slice(0, 40))}`);
  let subjects: BusSubjects;
  try {
    subjects = busSubjects(option(args, 'bus-prefix', { io: io.env, name: 'CHAPERONE_BUS_PREFIX' }) ?? 'chaperone');
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
  const servers = (option(args, 'nats-url', { io: io.env, name: 'CHAPERONE_NATS_URL' }) ?? 'nats://127.0.0.1:4222').split(',');
  const needsNats = kind === 'jetstream' || blobKind === 'jetstream';
  const nc = needsNats ? await connect({ servers, name: opts.name, maxReconnectAttempts: 0 }) : undefined;
  let inner: EventStore;
  try {
    if (kind === 'eventstoredb') {
      const connection = io.env['EVENTSTORE_CONNECTION_STRING'];
      if (!connection) throw new UsageError('--event-store eventstoredb needs EVENTSTORE_CONNECTION_STRING');
      inner = EventStoreDBEventStore.fromConnectionString(connection);
    } else {
      const jsm = await (nc as NatsConnection).jetstreamManager();
      // Never create the store's stream: a wrong prefix is an error, not a new empty store.
      if (!(await jsm.streams.info(subjects.evidenceStream).catch(() => undefined))) {
        throw new Error(`no evidence store ${subjects.evidenceStream} on ${servers.join(',')} (check --bus-prefix)`);
      }
      inner = await JetStreamEventStore.create(nc as NatsConnection, { streamName: subjects.evidenceStream, subjectPrefix: subjects.evidenceSubjectPrefix, ensureStream: false });
    }
  } catch (e) {
    await nc?.close();
    throw e;
  }
  const store = opts.write ? chainedEventStore(inner) : inner;
  let blobs: Promise<BlobStore> | undefined;
  return {
    store,
    subjects,
    nc,
    blobs: () => (blobs ??= openBlobs(args, io, blobKind, subjects, nc)),
    async close() {
      await (await blobs?.catch(() => undefined))?.close();
      await store.close();
      await nc?.close();
    },
  };
}

async function openBlobs(args: ParsedArgs, io: Io, kind: 'jetstream' | 's3', subjects: BusSubjects, nc: NatsConnection | undefined): Promise<BlobStore> {
  if (kind === 's3') {
    const env = io.env;
    return openBlobStore({
      kind,
      s3: {
        bucket: env['CHAPERONE_S3_BUCKET'],
        region: env['CHAPERONE_S3_REGION'] || 'us-east-1',
        ...(env['CHAPERONE_S3_ENDPOINT'] ? { endpoint: env['CHAPERONE_S3_ENDPOINT'] } : {}),
        forcePathStyle: env['CHAPERONE_S3_FORCE_PATH_STYLE'] === 'true',
      },
    });
  }
  const bucket = option(args, 'blob-bucket', { io: io.env, name: 'CHAPERONE_BLOB_BUCKET' }) ?? `${subjects.prefix}-blobs`;
  const conn = nc as NatsConnection;
  if (!(await (await conn.jetstreamManager()).streams.info(bucketStreamName(bucket)).catch(() => undefined))) {
    throw new Error(`no blob bucket ${bucket} (stream ${bucketStreamName(bucket)}) on this NATS, although the evidence names stored bodies (check --blob-bucket)`);
  }
  return JetStreamBlobStore.create(conn, { bucket, ensureBucket: false });
}
