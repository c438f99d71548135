import { createServer as createHttpServer, request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { createServer, type Server, type Socket } from 'node:net';
import { inspect } from 'node:util';
import {
  CreateBucketCommand,
  DeleteBucketCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
  type _Object,
} from '@aws-sdk/client-s3';
import { BlobCorrupt, BlobStoreMisconfigured, BlobStoreUnavailable, InvalidArgument, type BlobStore } from '../port';
import { blobStoreContract, chunked, sha256, startLocalS3, uniqueBody, uniqueS3Bucket, type LocalS3 } from '../testing';
import { BLOB_PREFIX, blobKey, STAGING_PREFIX } from './object-keys';
import { S3BlobStore } from './s3-blob-store';
import { MIN_PART_BYTES, type S3BlobStoreOptions } from './s3-options';

const MiB = 1024 * 1024;

function adminClient(s3: LocalS3): S3Client {
  return new S3Client({ endpoint: s3.endpoint, region: s3.region, credentials: s3.credentials, forcePathStyle: true });
}

function storeOptions(s3: LocalS3, bucket: string, extra: Partial<S3BlobStoreOptions> = {}): S3BlobStoreOptions {
  return { bucket, endpoint: s3.endpoint, region: s3.region, forcePathStyle: true, credentials: s3.credentials, ...extra };
}

async function listAll(client: S3Client, bucket: string, prefix?: string): Promise<_Object[]> {
  const out: _Object[] = [];
  let token: string | undefined;
  do {
    const page = await client.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ContinuationToken: token }));
    out.push(...(page.Contents ?? []));
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token);
  return out;
}

async function drain(stream: AsyncIterable<Uint8Array> | undefined): Promise<number> {
  let n = 0;
  for await (const part of stream as AsyncIterable<Uint8Array>) n += part.length;
  return n;
}

blobStoreContract('S3 (s3rver)', async () => {
  const s3 = await startLocalS3();
  const admin = adminClient(s3);
  const bucket = uniqueS3Bucket();
  await admin.send(new CreateBucketCommand({ Bucket: bucket }));
  // A 1 MiB buffer: the suite's multi-MiB bodies take the staged (multipart + copy) path.
  const options = storeOptions(s3, bucket, { maxBufferBytes: MiB });
  const store = await S3BlobStore.create(options);
  return {
    store,
    footprint: async () => (await listAll(admin, bucket)).length,
    openAnother: () => S3BlobStore.create(options),
    async attemptDelete(digest) {
      await admin.send(new DeleteObjectCommand({ Bucket: bucket, Key: blobKey(digest) }));
    },
    immutabilitySkipReason:
      "s3rver enforces no bucket policy or Object Lock, so its native DeleteObject succeeds; in production the writers' credentials have no s3:DeleteObject on sha256/* (docs/blob-store.md)",
    async dispose() {
      await store.close();
      admin.destroy();
      await s3.stop();
    },
  };
});

describe('S3BlobStore specifics (s3rver)', () => {
  jest.setTimeout(60_000);
  let s3: LocalS3;
  let admin: S3Client;
  let bucket: string;
  let store: S3BlobStore;
  const opened: BlobStore[] = [];

  async function open(extra: Partial<S3BlobStoreOptions> = {}, b = bucket): Promise<S3BlobStore> {
    const s = await S3BlobStore.create(storeOptions(s3, b, extra));
    opened.push(s);
    return s;
  }

  beforeAll(async () => {
    s3 = await startLocalS3();
    admin = adminClient(s3);
    bucket = uniqueS3Bucket();
    await admin.send(new CreateBucketCommand({ Bucket: bucket }));
    store = await open();
  });
  afterAll(async () => {
    for (const s of opened) await s.close();
    admin?.destroy();
    await s3?.stop();
  });

  it('stores a blob at sha256/<hex> with the first put\'s content type', async () => {
    const body = uniqueBody(2000);
    const ref = await store.put(body, { capBytes: MiB, contentType: 'application/json' });
    await store.put(body, { capBytes: MiB, contentType: 'text/plain' });
    const head = await admin.send(new HeadObjectCommand({ Bucket: bucket, Key: `${BLOB_PREFIX}${ref.digest.slice('sha256:'.length)}` }));
    expect(head.ContentLength).toBe(2000);
    expect(head.ContentType).toBe('application/json');
  });

  it('streams a 12 MiB body through a 3-part staged upload, then copies it to its address and empties staging/', async () => {
    const staged = await open({ maxBufferBytes: MiB, partBytes: MIN_PART_BYTES });
    const body = uniqueBody(12 * MiB);
    const started = process.hrtime.bigint();
    const ref = await staged.put(chunked(body, 256 * 1024), { capBytes: 64 * MiB, contentType: 'application/octet-stream' });
    const putMs = Number(process.hrtime.bigint() - started) / 1e6;
    expect(ref).toMatchObject({ digest: sha256(body), size: 12 * MiB, truncated: false });
    expect(await listAll(admin, bucket, STAGING_PREFIX)).toEqual([]);
    const head = await admin.send(new HeadObjectCommand({ Bucket: bucket, Key: blobKey(ref.digest) }));
    expect(head.ContentLength).toBe(12 * MiB);
    expect(head.ContentType).toBe('application/octet-stream');
    expect(Buffer.from((await staged.get(ref.digest)) as Uint8Array).equals(Buffer.from(body))).toBe(true);
    console.log(`[s3rver] staged put of 12 MiB in 5 MiB parts: ${putMs.toFixed(0)} ms`);
  });

  it('a source that fails after staging began leaves no blob and nothing in staging/', async () => {
    const staged = await open({ maxBufferBytes: MiB, partBytes: MIN_PART_BYTES });
    const body = uniqueBody(7 * MiB);
    async function* failing() {
      yield* chunked(body.subarray(0, 6 * MiB), MiB);
      throw new Error('client went away');
    }
    await expect(staged.put(failing(), { capBytes: 64 * MiB })).rejects.toThrow('client went away');
    expect(await listAll(admin, bucket, STAGING_PREFIX)).toEqual([]);
    await expect(staged.has(sha256(body.subarray(0, 6 * MiB)))).resolves.toBe(false);
  });

  describe('writes are conditional (seen through a recording proxy in front of s3rver)', () => {
    it('a put sends If-None-Match: * and the content address as x-amz-checksum-sha256; a stored blob is never written again', async () => {
      const proxy = await recordingProxy(s3.endpoint);
      try {
        const s = await open({ endpoint: proxy.endpoint });
        const body = uniqueBody(4000);
        const ref = await s.put(body, { capBytes: MiB });
        const puts = proxy.seen.filter((r) => r.method === 'PUT');
        expect(puts).toHaveLength(1);
        expect(puts[0]?.headers['if-none-match']).toBe('*');
        expect(puts[0]?.headers['x-amz-checksum-sha256']).toBe(Buffer.from(ref.digest.slice(7), 'hex').toString('base64'));
        await s.put(body, { capBytes: MiB });
        await s.put(chunked(body, 100), { capBytes: MiB });
        expect(proxy.seen.filter((r) => r.method === 'PUT')).toHaveLength(1);
      } finally {
        await proxy.close();
      }
    });

    it('the staged copy is conditional too; a 412 (a concurrent put stored it first) yields the same ref', async () => {
      const proxy = await recordingProxy(s3.endpoint);
      try {
        const s = await open({ endpoint: proxy.endpoint, maxBufferBytes: 1024 });
        const body = uniqueBody(4000);
        const ref = await s.put(chunked(body, 1000), { capBytes: MiB });
        const copy = proxy.seen.find((r) => r.method === 'PUT' && r.headers['x-amz-copy-source'] !== undefined);
        expect(copy?.headers['if-none-match']).toBe('*');
        expect(copy?.url).toContain(blobKey(ref.digest));
        // A store that honours conditional writes answers 412 to the loser of a race.
        proxy.refuseWith(412, 'PreconditionFailed');
        const other = uniqueBody(3000);
        await expect(s.put(other, { capBytes: MiB })).resolves.toMatchObject({ digest: sha256(other) });
      } finally {
        await proxy.close();
      }
    });
  });

  describe('a blob altered through the S3 API', () => {
    it('other bytes under its address: get and getStream throw BlobCorrupt, never the bytes as evidence', async () => {
      const ref = await store.put(uniqueBody(5000), { capBytes: MiB });
      await admin.send(new PutObjectCommand({ Bucket: bucket, Key: blobKey(ref.digest), Body: uniqueBody(5000) }));
      await expect(store.get(ref.digest)).rejects.toBeInstanceOf(BlobCorrupt);
      await expect(drain(await store.getStream(ref.digest))).rejects.toBeInstanceOf(BlobCorrupt);
      await expect(store.get(ref.digest)).rejects.toThrow(`blob ${ref.digest} is corrupt: stored bytes hash to sha256:`);
    });

    it('truncated, or one bit flipped: BlobCorrupt; the corrupt blob can still be deleted', async () => {
      const body = uniqueBody(3000);
      const ref = await store.put(body, { capBytes: MiB });
      await admin.send(new PutObjectCommand({ Bucket: bucket, Key: blobKey(ref.digest), Body: body.subarray(0, 2999) }));
      await expect(store.get(ref.digest)).rejects.toBeInstanceOf(BlobCorrupt);
      const flipped = new Uint8Array(body);
      flipped[1234] = (flipped[1234] ?? 0) ^ 1;
      await admin.send(new PutObjectCommand({ Bucket: bucket, Key: blobKey(ref.digest), Body: flipped }));
      await expect(store.get(ref.digest)).rejects.toBeInstanceOf(BlobCorrupt);
      await expect(store.has(ref.digest)).resolves.toBe(true); // has() does not read the bytes
      await expect(store.delete(ref.digest)).resolves.toBe(true);
      await expect(store.has(ref.digest)).resolves.toBe(false);
    });

    it('a reader that stops early frees the connection, and the store keeps working', async () => {
      const staged = await open({ maxBufferBytes: MiB, partBytes: MIN_PART_BYTES });
      const ref = await staged.put(uniqueBody(6 * MiB), { capBytes: 64 * MiB });
      for (let i = 0; i < 60; i++) {
        for await (const _ of (await staged.getStream(ref.digest)) as AsyncIterable<Uint8Array>) break;
      }
      await expect(staged.has(ref.digest)).resolves.toBe(true);
    });
  });

  describe('an unreachable or wrong endpoint', () => {
    it('nothing listening: create and every operation fail with BlobStoreUnavailable, fast', async () => {
      const closed = await freePort();
      const endpoint = `http://127.0.0.1:${closed}`;
      const started = process.hrtime.bigint();
      await expect(S3BlobStore.create({ ...storeOptions(s3, bucket), endpoint, timeoutMs: 500 })).rejects.toBeInstanceOf(BlobStoreUnavailable);
      const createMs = Number(process.hrtime.bigint() - started) / 1e6;
      const s = await open({ endpoint, timeoutMs: 500, verifyBucket: false });
      const digest = sha256(uniqueBody(10));
      await expect(s.put(uniqueBody(10), { capBytes: 10 })).rejects.toBeInstanceOf(BlobStoreUnavailable);
      await expect(s.get(digest)).rejects.toBeInstanceOf(BlobStoreUnavailable);
      await expect(s.has(digest)).rejects.toBeInstanceOf(BlobStoreUnavailable);
      await expect(s.delete(digest)).rejects.toBeInstanceOf(BlobStoreUnavailable);
      console.log(`[s3] connection refused -> BlobStoreUnavailable after ${createMs.toFixed(0)} ms (3 attempts with backoff)`);
    }, 15_000);

    it('a server that accepts and never answers: BlobStoreUnavailable after the timeout, no hang', async () => {
      const silent = await silentServer();
      try {
        const s = await open({ endpoint: silent.endpoint, timeoutMs: 300, maxAttempts: 2, verifyBucket: false });
        const started = process.hrtime.bigint();
        await expect(s.has(sha256(uniqueBody(10)))).rejects.toBeInstanceOf(BlobStoreUnavailable);
        const ms = Number(process.hrtime.bigint() - started) / 1e6;
        await expect(s.put(uniqueBody(10), { capBytes: 10 })).rejects.toBeInstanceOf(BlobStoreUnavailable);
        console.log(`[s3] silent server, timeoutMs 300, 2 attempts -> BlobStoreUnavailable after ${ms.toFixed(0)} ms`);
      } finally {
        await silent.close();
      }
    }, 15_000);

    it('a missing bucket stops create with BlobStoreMisconfigured; one removed later reads as unavailable, not absent', async () => {
      const missing = uniqueS3Bucket('test-missing');
      await expect(S3BlobStore.create(storeOptions(s3, missing))).rejects.toBeInstanceOf(BlobStoreMisconfigured);
      await expect(S3BlobStore.create(storeOptions(s3, missing))).rejects.toThrow(`S3 bucket ${missing} does not exist at ${s3.endpoint}`);
      const gone = uniqueS3Bucket('test-gone');
      await admin.send(new CreateBucketCommand({ Bucket: gone }));
      const s = await open({}, gone);
      await admin.send(new DeleteBucketCommand({ Bucket: gone }));
      const digest = sha256(uniqueBody(10));
      await expect(s.has(digest)).rejects.toBeInstanceOf(BlobStoreUnavailable);
      await expect(s.get(digest)).rejects.toBeInstanceOf(BlobStoreUnavailable);
      await expect(s.delete(digest)).rejects.toBeInstanceOf(BlobStoreUnavailable);
      await expect(s.put(uniqueBody(10), { capBytes: 10 })).rejects.toBeInstanceOf(BlobStoreUnavailable);
    });

    it('unknown credentials stop create with a clear error that carries neither key', async () => {
      // s3rver checks the access key id only (it does not verify SigV4 signatures).
      const credentials = { accessKeyId: 'AKIAWRONGKEY0000', secretAccessKey: 'not-the-secret-7f3a9c' };
      const err = await S3BlobStore.create({ ...storeOptions(s3, bucket), credentials }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(BlobStoreMisconfigured);
      expect((err as Error).message).toMatch(/refused access \(.*403.*\): check the credentials/);
      const shown = `${String(err)} ${JSON.stringify(err)} ${(err as Error).stack}`;
      expect(shown).not.toContain(credentials.secretAccessKey);
      expect(shown).not.toContain(credentials.accessKeyId);
    });
  });

  it('a store printed or inspected shows no secret', async () => {
    const secretAccessKey = 'inspect-me-secret-51d2';
    const s = await open({ credentials: { accessKeyId: 'AKIAINSPECT', secretAccessKey }, verifyBucket: false });
    expect(inspect(s, { depth: 12, showHidden: true })).not.toContain(secretAccessKey);
  });

  it('rejects bad options with InvalidArgument, never echoing a password in the endpoint', async () => {
    const base = storeOptions(s3, bucket);
    for (const bad of [
      { bucket: 'Upper_Case' },
      { bucket: 'ab' },
      { region: '' },
      { endpoint: 'minio:9000' },
      { endpoint: 'ftp://minio:9000' },
      { partBytes: MIN_PART_BYTES - 1 },
      { timeoutMs: 0 },
      { maxBufferBytes: -1 },
      { credentials: { accessKeyId: 'a', secretAccessKey: '' } },
    ]) {
      await expect(S3BlobStore.create({ ...base, ...bad })).rejects.toBeInstanceOf(InvalidArgument);
    }
    const err = await S3BlobStore.create({ ...base, endpoint: 'https://admin:hunter2@minio:9000' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InvalidArgument);
    expect(String(err)).not.toContain('hunter2');
  });

  it('the object bytes S3 holds are the body (read with the plain S3 API)', async () => {
    const body = uniqueBody(1500);
    const ref = await store.put(chunked(body, 100), { capBytes: MiB });
    const got = await admin.send(new GetObjectCommand({ Bucket: bucket, Key: blobKey(ref.digest) }));
    expect(Buffer.from(await (got.Body as { transformToByteArray(): Promise<Uint8Array> }).transformToByteArray()).equals(Buffer.from(body))).toBe(true);
  });
});

/** A port nothing listens on (bound, then released). */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** Accepts TCP connections and never sends a byte. */
async function silentServer(): Promise<{ endpoint: string; close(): Promise<void> }> {
  const sockets: Socket[] = [];
  const server: Server = createServer((socket) => {
    sockets.push(socket);
    socket.on('error', () => undefined);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return {
    endpoint: `http://127.0.0.1:${port}`,
    async close() {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

interface SeenRequest {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
}

/**
 * A pass-through HTTP proxy to s3rver that records each request; refuseWith() makes it answer
 * conditional writes (If-None-Match) itself with an S3 error, as AWS does to the loser of a race.
 */
async function recordingProxy(upstream: string): Promise<{ endpoint: string; seen: SeenRequest[]; refuseWith(status: number, code: string): void; close(): Promise<void> }> {
  const target = new URL(upstream);
  const seen: SeenRequest[] = [];
  let refusal: { status: number; code: string } | undefined;
  const server = createHttpServer((req, res) => {
    seen.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers });
    if (refusal && req.method === 'PUT' && req.headers['if-none-match'] === '*') {
      req.resume();
      res.writeHead(refusal.status, { 'content-type': 'application/xml' });
      res.end(`<?xml version="1.0" encoding="UTF-8"?><Error><Code>${refusal.code}</Code><Message>refused by the test proxy</Message></Error>`);
      return;
    }
    const up = httpRequest({ host: target.hostname, port: target.port, method: req.method, path: req.url, headers: req.headers }, (ur) => {
      res.writeHead(ur.statusCode ?? 502, ur.headers);
      ur.pipe(res);
    });
    up.on('error', () => res.destroy());
    req.pipe(up);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return {
    endpoint: `http://127.0.0.1:${port}`,
    seen,
    refuseWith(status, code) {
      refusal = { status, code };
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
