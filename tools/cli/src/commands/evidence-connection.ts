import type { NatsConnection } from 'nats';
import { JetStreamBlobStore, bucketStreamName, openBlobStore, type BlobStore } from '@chaperone/blob-store';
import type { BusSubjects } from '@chaperone/contracts';
import { chainedEventStore, type EventStore } from '@chaperone/event-store';
import { option, type ParsedArgs } from '../args';
import { UsageError, type Io } from '../command';
import { EVIDENCE_OPTIONS as READER_OPTIONS, EVIDENCE_OPTIONS_USAGE as READER_OPTIONS_USAGE, openEvidenceReader } from './evidence-reader';

/** The options of the commands that read the evidence store and the recorded bodies (verify, recordings). */
export const EVIDENCE_OPTIONS = [...READER_OPTIONS, 'blob-store', 'blob-bucket'] as const;
export const EVIDENCE_OPTIONS_USAGE = `${READER_OPTIONS_USAGE}
  --blob-store       where recorded bodies are: jetstream (default) or s3 (env CHAPERONE_BLOB_STORE;
                     S3 reads CHAPERONE_S3_BUCKET, CHAPERONE_S3_REGION, CHAPERONE_S3_ENDPOINT,
                     CHAPERONE_S3_FORCE_PATH_STYLE and the AWS SDK's credentials)
  --blob-bucket      the JetStream object-store bucket (env CHAPERONE_BLOB_BUCKET; <bus prefix>-blobs)`;

/** An open evidence store and, on first use, the blob store of recorded bodies; closed together. */
export interface EvidenceConnection {
  store: EventStore;
  subjects: BusSubjects;
  /** The blob store, opened on first use without creating anything (a missing bucket is an error). */
  blobs(): Promise<BlobStore>;
  close(): Promise<void>;
}

/**
 * The evidence store as openEvidenceReader opens it (never created: a wrong prefix is an error),
 * plus the blob store. `write` puts the store behind the hash-chaining decorator, as every writer
 * of the evidence store does.
 */
export async function openEvidence(args: ParsedArgs, io: Io, opts: { write?: boolean; name: string }): Promise<EvidenceConnection> {
  const blobKind = option(args, 'blob-store', { io: io.env, name: 'CHAPERONE_BLOB_STORE' }) ?? 'jetstream';
  if (blobKind !== 'jetstream' && blobKind !== 's3') throw new UsageError(`--blob-store must be jetstream or s3, not ${JSON.stringify(blobKind.slice(0, 40))}`);
  const reader = await openEvidenceReader(args, io, opts.name);
  if (blobKind === 'jetstream' && !reader.nc) {
    await reader.close();
    throw new UsageError('--blob-store jetstream needs the JetStream event store (or use --blob-store s3)');
  }
  let blobs: Promise<BlobStore> | undefined;
  return {
    store: opts.write ? chainedEventStore(reader.store) : reader.store,
    subjects: reader.subjects,
    blobs: () => (blobs ??= openBlobs(args, io, blobKind, reader.subjects, reader.nc)),
    async close() {
      await (await blobs?.catch(() => undefined))?.close();
      await reader.close();
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
