import { randomUUID } from 'node:crypto';
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { connect, type NatsConnection } from 'nats';
import { bucketStreamName, JetStreamBlobStore } from './jetstream';
import { openBlobStore, type BlobStoreKind } from './open-blob-store';
import { BlobStoreMisconfigured, InvalidArgument, type BlobStore } from './port';
import { startLocalS3, uniqueBody, uniqueS3Bucket, type LocalS3 } from './testing';

const servers = [process.env['NATS_URL'] ?? 'nats://127.0.0.1:4222'];

async function roundTrip(store: BlobStore): Promise<void> {
  const body = uniqueBody(5000);
  const ref = await store.put(body, { capBytes: 1 << 20 });
  expect(Buffer.from((await store.get(ref.digest)) as Uint8Array).equals(Buffer.from(body))).toBe(true);
  await expect(store.delete(ref.digest)).resolves.toBe(true);
  await expect(store.has(ref.digest)).resolves.toBe(false);
}

describe('openBlobStore', () => {
  jest.setTimeout(30_000);
  let nc: NatsConnection;
  let s3: LocalS3;
  let s3Bucket: string;

  beforeAll(async () => {
    nc = await connect({ servers, name: 'open-blob-store' });
    s3 = await startLocalS3();
    s3Bucket = uniqueS3Bucket();
    const admin = new S3Client({ endpoint: s3.endpoint, region: s3.region, credentials: s3.credentials, forcePathStyle: true });
    await admin.send(new CreateBucketCommand({ Bucket: s3Bucket }));
    admin.destroy();
  });
  afterAll(async () => {
    await nc?.drain();
    await s3?.stop();
  });

  it('jetstream: opens the object-store bucket on the connection', async () => {
    const bucket = `test_open_${randomUUID().replace(/-/g, '').slice(0, 12)}`;
    const store = await openBlobStore({ kind: 'jetstream', nc, jetstreamBucket: bucket });
    try {
      expect(store).toBeInstanceOf(JetStreamBlobStore);
      await roundTrip(store);
    } finally {
      await store.close();
      await (await nc.jetstreamManager()).streams.delete(bucketStreamName(bucket));
    }
  });

  it('s3: opens the bucket at the endpoint', async () => {
    const store = await openBlobStore({
      kind: 's3',
      s3: { bucket: s3Bucket, endpoint: s3.endpoint, region: s3.region, forcePathStyle: true, credentials: s3.credentials },
    });
    try {
      expect(store.constructor.name).toBe('S3BlobStore');
      await roundTrip(store);
    } finally {
      await store.close();
    }
  });

  it.each([
    ['jetstream without a connection', { kind: 'jetstream' as const, jetstreamBucket: 'x' }, /NATS connection/],
    ['jetstream without a bucket', { kind: 'jetstream' as const, nc: {} as NatsConnection }, /CHAPERONE_BLOB_BUCKET/],
    ['s3 without a bucket', { kind: 's3' as const, s3: { region: 'us-east-1' } }, /CHAPERONE_S3_BUCKET/],
    ['s3 without a region', { kind: 's3' as const, s3: { bucket: 'evidence' } }, /CHAPERONE_S3_REGION/],
    ['s3 with a bad endpoint', { kind: 's3' as const, s3: { bucket: 'evidence', region: 'us-east-1', endpoint: 'minio' } }, /invalid S3 endpoint/],
    ['an unknown kind', { kind: 'gcs' as BlobStoreKind }, /unknown blob store gcs/],
  ])('refuses %s with InvalidArgument', async (_label, opts, message) => {
    const opened = openBlobStore(opts);
    await expect(opened).rejects.toBeInstanceOf(InvalidArgument);
    await expect(opened).rejects.toThrow(message);
  });

  it('s3: a bucket that does not exist is BlobStoreMisconfigured', async () => {
    const missing = uniqueS3Bucket('test-missing');
    const opened = openBlobStore({ kind: 's3', s3: { bucket: missing, endpoint: s3.endpoint, region: s3.region, forcePathStyle: true, credentials: s3.credentials } });
    await expect(opened).rejects.toBeInstanceOf(BlobStoreMisconfigured);
    await expect(opened).rejects.toThrow(`S3 bucket ${missing} does not exist at ${s3.endpoint}`);
  });
});
