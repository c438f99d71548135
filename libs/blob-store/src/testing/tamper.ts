import type { NatsConnection } from 'nats';
import { bucketStreamName, chunkSubject, metaSubject } from '../jetstream/bucket-config';
import type { ObjectMetaRecord } from '../jetstream/jetstream-blob-store';

/**
 * Rewrites a stored blob behind the adapter's back, as someone holding publish and purge rights on
 * the bucket could: its chunks and metadata are purged and published again under the same name,
 * with other bytes. The adapter then reads the new bytes, finds they do not hash to the name and
 * throws BlobCorrupt. For tests of what detects tampering (`chaperone verify`).
 */
export async function rewriteJetStreamBlob(nc: NatsConnection, bucket: string, digest: string, bytes: Uint8Array): Promise<void> {
  const jsm = await nc.jetstreamManager();
  const stream = bucketStreamName(bucket);
  const direct = (jsm as unknown as { direct: { getMessage(s: string, q: { seq: number; next_by_subj: string }): Promise<{ data: Uint8Array }> } }).direct;
  const meta = JSON.parse(new TextDecoder().decode((await direct.getMessage(stream, { seq: 1, next_by_subj: metaSubject(bucket, digest) })).data)) as ObjectMetaRecord;
  await jsm.streams.purge(stream, { filter: chunkSubject(bucket, meta.nuid) });
  await jsm.streams.purge(stream, { filter: metaSubject(bucket, digest) });
  const js = nc.jetstream();
  await js.publish(chunkSubject(bucket, meta.nuid), bytes);
  await js.publish(metaSubject(bucket, digest), new TextEncoder().encode(JSON.stringify({ ...meta, size: bytes.length, chunks: 1 })));
}
