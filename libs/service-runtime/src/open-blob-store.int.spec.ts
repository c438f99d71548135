import { randomUUID } from 'node:crypto';
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { connect, type NatsConnection } from 'nats';
import { bucketStreamName, type BlobStore } from '@chaperone/blob-store';
import { startLocalS3, uniqueBody, uniqueS3Bucket, type LocalS3 } from '@chaperone/blob-store/testing';
import { busSubjects } from '@chaperone/contracts';
import { openServiceBlobStore, type BlobStoreConfig } from './open-blob-store';
import { StartupError } from './startup-error';

const servers = [process.env['NATS_URL'] ?? 'nats://127.0.0.1:4222'];

const jetstreamConfig: BlobStoreConfig = {
  blobStore: 'jetstream',
  blobBucket: undefined,
  s3Endpoint: undefined,
  s3Region: 'us-east-1',
  s3Bucket: undefined,
  s3ForcePathStyle: false,
};

async function roundTrip(store: BlobStore): Promise<void> {
  const body = uniqueBody(1000);
  const ref = await store.put(body, { capBytes: 4096 });
  expect(Buffer.from((await store.get(ref.digest)) as Uint8Array).equals(Buffer.from(body))).toBe(true);
}

describe('openServiceBlobStore', () => {
  jest.setTimeout(30_000);
  let nc: NatsConnection;
  let s3: LocalS3;
  let bucket: string;
  const subjects = busSubjects(`t${randomUUID().replace(/-/g, '').slice(0, 10)}`);

  beforeAll(async () => {
    nc = await connect({ servers, name: 'open-service-blob-store' });
    s3 = await startLocalS3();
    bucket = uniqueS3Bucket();
    const admin = new S3Client({ endpoint: s3.endpoint, region: s3.region, credentials: s3.credentials, forcePathStyle: true });
    await admin.send(new CreateBucketCommand({ Bucket: bucket }));
    admin.destroy();
  });
  afterAll(async () => {
    await nc?.drain();
    await s3?.stop();
  });

  it('by default opens the JetStream bucket <bus prefix>-blobs', async () => {
    const store = await openServiceBlobStore(jetstreamConfig, { nc, subjects });
    try {
      await roundTrip(store);
      const info = await (await nc.jetstreamManager()).streams.info(bucketStreamName(`${subjects.prefix}-blobs`));
      expect(info.state.messages).toBeGreaterThan(0);
    } finally {
      await store.close();
      await (await nc.jetstreamManager()).streams.delete(bucketStreamName(`${subjects.prefix}-blobs`));
    }
  });

  it('opens S3 with credentials from the standard AWS environment variables', async () => {
    const env = { AWS_ACCESS_KEY_ID: s3.credentials.accessKeyId, AWS_SECRET_ACCESS_KEY: s3.credentials.secretAccessKey };
    const saved = { AWS_ACCESS_KEY_ID: process.env['AWS_ACCESS_KEY_ID'], AWS_SECRET_ACCESS_KEY: process.env['AWS_SECRET_ACCESS_KEY'] };
    Object.assign(process.env, env); // the SDK's chain reads process.env
    try {
      const store = await openServiceBlobStore(
        { ...jetstreamConfig, blobStore: 's3', s3Endpoint: s3.endpoint, s3Bucket: bucket, s3ForcePathStyle: true },
        { nc, subjects },
        env,
      );
      await roundTrip(store);
      await store.close();
    } finally {
      for (const [k, v] of Object.entries(saved)) {
        if (v === undefined) delete process.env[k];
        else process.env[k] = v;
      }
    }
  });

  it.each([
    ['no S3 bucket', { s3Bucket: undefined }, {}, /CHAPERONE_S3_BUCKET/],
    ['half the credentials', {}, { AWS_ACCESS_KEY_ID: 'AKIAEXAMPLE' }, /set both AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or neither/],
    ['an endpoint that is not a URL', { s3Endpoint: 'minio:9000' }, {}, /invalid S3 endpoint/],
  ])('refuses %s with a StartupError', async (_label, config, env, message) => {
    const opened = openServiceBlobStore({ ...jetstreamConfig, blobStore: 's3', s3Bucket: 'evidence', ...config }, { nc, subjects }, env);
    await expect(opened).rejects.toBeInstanceOf(StartupError);
    await expect(opened).rejects.toThrow(message);
  });

  it('a missing S3 bucket or unknown credentials are a StartupError that shows no secret', async () => {
    const missing = uniqueS3Bucket('test-missing');
    const secret = 'wrong-secret-0a1b2c';
    const saved = { AWS_ACCESS_KEY_ID: process.env['AWS_ACCESS_KEY_ID'], AWS_SECRET_ACCESS_KEY: process.env['AWS_SECRET_ACCESS_KEY'] };
    try {
      Object.assign(process.env, { AWS_ACCESS_KEY_ID: s3.credentials.accessKeyId, AWS_SECRET_ACCESS_KEY: s3.credentials.secretAccessKey });
      const config: BlobStoreConfig = { ...jetstreamConfig, blobStore: 's3', s3Endpoint: s3.endpoint, s3Bucket: missing, s3ForcePathStyle: true };
      await expect(openServiceBlobStore(config, { nc, subjects })).rejects.toThrow(new StartupError(`blob store: S3 bucket ${missing} does not exist at ${s3.endpoint}: create it first (docs/blob-store.md)`));
      Object.assign(process.env, { AWS_ACCESS_KEY_ID: 'AKIAUNKNOWN', AWS_SECRET_ACCESS_KEY: secret });
      const err = await openServiceBlobStore({ ...config, s3Bucket: bucket }, { nc, subjects }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(StartupError);
      expect((err as Error).message).toMatch(/refused access/);
      expect((err as Error).message).not.toContain(secret);
    } finally {
      for (const [k, v] of Object.entries(saved)) {
        if (v === undefined) delete process.env[k];
        else process.env[k] = v;
      }
    }
  });
});
