import { openBlobStore, BlobStoreKinds, type BlobStore, type BlobStoreKind } from '@chaperone/blob-store';
import { option, rejectUnknownOptions, type ParsedArgs } from '../../args';
import { UsageError, type Command, type Io } from '../../command';
import { EVIDENCE_OPTIONS, EVIDENCE_OPTIONS_USAGE, openEvidenceReader, type EvidenceReader } from '../evidence-reader';
import { parseCast, playCast } from './cast-player';
import { findExecSession } from './find-session';

const USAGE = `usage: chaperone play <request-id> [--speed N] [--idle-limit SECONDS] [--nats-url <url>] [--bus-prefix <prefix>]
                      [--event-store jetstream|eventstoredb] [--blob-store jetstream|s3] [--blob-bucket <bucket>]

Plays the recording of an exec or attach session in the terminal, with its timing: the request's
ExecSessionRecorded event is read from the evidence store, and the asciicast it names from the
blob store (masked, as stored). Exit code 0: played; 1: no such session or recording; 2: bad usage.

  --speed            play N times as fast (default 1)
  --idle-limit       longest pause kept, in seconds (default 2)
${EVIDENCE_OPTIONS_USAGE}
  --blob-store       jetstream (default) or s3 (env CHAPERONE_BLOB_STORE; S3 reads CHAPERONE_S3_BUCKET,
                     CHAPERONE_S3_REGION, CHAPERONE_S3_ENDPOINT, CHAPERONE_S3_FORCE_PATH_STYLE and the AWS
                     SDK's credentials)
  --blob-bucket      the JetStream object-store bucket (env CHAPERONE_BLOB_BUCKET; <bus prefix>-blobs)`;

/** `chaperone play REQUEST_ID`: an exec recording replayed in the terminal. */
export function playCommand(sleep: (ms: number) => Promise<void> = (ms) => new Promise((r) => setTimeout(r, ms))): Command {
  return {
    name: 'play',
    summary: 'play the masked recording of an exec or attach session in the terminal',
    usage: USAGE,
    async run(args, io) {
      rejectUnknownOptions(args, [...EVIDENCE_OPTIONS, 'speed', 'idle-limit', 'blob-store', 'blob-bucket']);
      const [requestId, ...extra] = args.positional;
      if (!requestId) throw new UsageError('which request? (chaperone play <request-id>)');
      if (extra.length) throw new UsageError(`unexpected argument ${JSON.stringify(extra[0]?.slice(0, 40))}`);
      const speed = positiveNumber(args, 'speed', 1);
      const idleLimit = positiveNumber(args, 'idle-limit', 2);
      const reader = await openEvidenceReader(args, io, 'play');
      try {
        const session = await findExecSession(reader.store, requestId);
        if (!session) {
          io.err(`chaperone play: request ${requestId.slice(0, 60)} recorded no exec or attach session\n`);
          return 1;
        }
        const blobs = await openBlobs(args, io, reader);
        let bytes: Uint8Array | undefined;
        try {
          bytes = await blobs.get(session.payload.recording.digest);
        } finally {
          await blobs.close();
        }
        if (!bytes) {
          io.err(`chaperone play: the recording ${session.payload.recording.digest} is not in the blob store (deferred, or pruned)\n`);
          return 1;
        }
        await playCast(parseCast(Buffer.from(bytes).toString('utf8')), { speed, idleLimit, write: (t) => io.out(t), sleep });
        const p = session.payload;
        io.err(`\n[${p.subresource} ${p.namespace}/${p.pod}: ${p.ended}${p.exitCode === undefined ? '' : `, exit code ${p.exitCode}`}]\n`);
        return 0;
      } finally {
        await reader.close();
      }
    },
  };
}

function positiveNumber(args: ParsedArgs, name: string, fallback: number): number {
  const raw = option(args, name);
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (!Number.isFinite(n) || n <= 0) throw new UsageError(`--${name} must be a positive number, not ${JSON.stringify(raw.slice(0, 20))}`);
  return n;
}

async function openBlobs(args: ParsedArgs, io: Io, reader: EvidenceReader): Promise<BlobStore> {
  const kind = option(args, 'blob-store', { io: io.env, name: 'CHAPERONE_BLOB_STORE' }) ?? 'jetstream';
  if (!(BlobStoreKinds as readonly string[]).includes(kind)) throw new UsageError(`--blob-store must be ${BlobStoreKinds.join(' or ')}, not ${JSON.stringify(kind.slice(0, 20))}`);
  if (kind === 'jetstream' && !reader.nc) throw new UsageError('--blob-store jetstream needs the JetStream event store (or use --blob-store s3)');
  return openBlobStore({
    kind: kind as BlobStoreKind,
    nc: reader.nc,
    jetstreamBucket: option(args, 'blob-bucket', { io: io.env, name: 'CHAPERONE_BLOB_BUCKET' }) ?? `${reader.subjects.prefix}-blobs`,
    s3: {
      bucket: io.env['CHAPERONE_S3_BUCKET'],
      region: io.env['CHAPERONE_S3_REGION'] ?? 'us-east-1',
      endpoint: io.env['CHAPERONE_S3_ENDPOINT'],
      forcePathStyle: io.env['CHAPERONE_S3_FORCE_PATH_STYLE'] === 'true',
    },
  });
}
