import { randomUUID } from 'node:crypto';
import { connect, headers, StorageType, type JetStreamManager, type MsgHdrs, type NatsConnection } from 'nats';
import { BlobCorrupt, BlobDeleteRefused, BlobStoreMisconfigured, BlobStoreUnavailable } from '../port';
import { blobStoreContract, chunked, sha256, uniqueBody } from '../testing';
import { bucketStreamName, chunkSubject, ensureEvidenceBucket, evidenceBucketStreamConfig, metaSubject } from './bucket-config';
import { JsErrCodes, jsErrCode } from './errors';
import { JetStreamBlobStore, objectStoreDigest, type ObjectMetaRecord } from './jetstream-blob-store';

const servers = [process.env['NATS_URL'] ?? 'nats://127.0.0.1:4222'];
const MiB = 1024 * 1024;

function rollupHeaders(): MsgHdrs {
  const h = headers();
  h.set('Nats-Rollup', 'sub');
  return h;
}

function uniqueBucket(label = 'test_blobs'): string {
  return `${label}_${randomUUID().replace(/-/g, '').slice(0, 12)}`;
}

async function messageCount(jsm: JetStreamManager, stream: string, subject?: string): Promise<number> {
  if (!subject) return (await jsm.streams.info(stream)).state.messages;
  const info = await jsm.streams.info(stream, { subjects_filter: subject });
  return info.state.subjects?.[subject] ?? 0;
}

blobStoreContract('NATS JetStream object store', async () => {
  const nc = await connect({ servers, name: 'blob-store-contract' });
  const jsm = await nc.jetstreamManager();
  const bucket = uniqueBucket();
  const store = await JetStreamBlobStore.create(nc, { bucket });
  const stream = bucketStreamName(bucket);
  return {
    store,
    footprint: () => messageCount(jsm, stream),
    openAnother: () => JetStreamBlobStore.create(nc, { bucket }),
    async attemptDelete(digest) {
      const os = await nc.jetstream().views.os(bucket);
      const info = await os.info(digest);
      const meta = await jsm.streams.getMessage(stream, { last_by_subj: metaSubject(bucket, digest) });
      const errors: unknown[] = [];
      const attempts: Array<() => Promise<unknown>> = [
        () => os.delete(digest),
        () => jsm.streams.deleteMessage(stream, meta.seq),
        () => jsm.streams.deleteMessage(stream, meta.seq, false),
        () => jsm.streams.deleteMessage(stream, meta.seq - 1), // a chunk
        // A rollup would purge the subject's earlier metadata, the one that defines the blob.
        () => nc.jetstream().publish(metaSubject(bucket, digest), new TextEncoder().encode(JSON.stringify({ ...info, deleted: true })), { headers: rollupHeaders() }),
        // Purges are how BlobStore.delete removes a blob: NATS permissions, not the stream, keep them to the pruner.
        async () => {
          const si = await jsm.streams.info(stream);
          return jsm.streams.update(stream, { ...si.config, deny_delete: false, deny_purge: false });
        },
      ];
      for (const attempt of attempts) {
        try {
          await attempt();
          throw new Error('a native delete/purge SUCCEEDED'); // not reached when immutability holds
        } catch (err) {
          if ((err as Error).message === 'a native delete/purge SUCCEEDED') return; // resolve → test fails
          errors.push(err);
        }
      }
      throw new AggregateError(errors, `all ${errors.length} native removal attempts were refused`);
    },
    async dispose() {
      await store.close();
      await jsm.streams.delete(stream);
      await nc.drain();
    },
  };
});

describe('JetStreamBlobStore specifics (real NATS)', () => {
  jest.setTimeout(60_000);
  let nc: NatsConnection;
  let jsm: JetStreamManager;
  const created: string[] = [];
  const bucket = uniqueBucket();
  let store: JetStreamBlobStore;

  beforeAll(async () => {
    nc = await connect({ servers, name: 'blob-store-specifics' });
    jsm = await nc.jetstreamManager();
    store = await JetStreamBlobStore.create(nc, { bucket });
    created.push(bucketStreamName(bucket));
  });
  afterAll(async () => {
    await store.close();
    for (const name of created) await jsm.streams.delete(name).catch(() => undefined);
    await nc.drain();
  });

  it('creates the bucket stream guarded from the start (no message deletes, rollups or limits), object-store compatible', async () => {
    const { config: c } = await jsm.streams.info(bucketStreamName(bucket));
    expect(c).toMatchObject({
      subjects: [`$O.${bucket}.C.>`, `$O.${bucket}.M.>`],
      storage: StorageType.File,
      discard: 'new',
      allow_direct: true,
      deny_delete: true,
      deny_purge: false, // BlobStore.delete purges one blob's subjects
      allow_rollup_hdrs: false,
      max_msgs: -1,
      max_bytes: -1,
      max_age: 0,
    });
    // nats.js sees a regular object store.
    const status = await (await nc.jetstream().views.os(bucket)).status();
    expect(status.bucket).toBe(bucket);
    // Validating an existing good bucket is fine (a second instance starting).
    await expect(ensureEvidenceBucket(jsm, { bucket })).resolves.toBeDefined();
  });

  it('refuses a bucket created by plain js.views.os() (message deletes and rollups allowed)', async () => {
    const plain = uniqueBucket('test_plain');
    await nc.jetstream().views.os(plain, { storage: StorageType.File });
    created.push(bucketStreamName(plain));
    const refused = JetStreamBlobStore.create(nc, { bucket: plain });
    await expect(refused).rejects.toBeInstanceOf(BlobStoreMisconfigured);
    await expect(refused).rejects.toThrow(/deny_delete is false.*allow_rollup_hdrs is true/);
  });

  it('blobs are readable by nats.js os.get()/os.info(); nats.js os.put() is refused (it sends a rollup, which the bucket refuses)', async () => {
    const body = uniqueBody(400 * 1024);
    const ref = await store.put(chunked(body, 50_000), { capBytes: MiB, contentType: 'application/json' });
    const os = await nc.jetstream().views.os(bucket);
    const info = await os.info(ref.digest);
    expect(info).toMatchObject({ name: ref.digest, size: body.length, chunks: 4, digest: objectStoreDigest(ref.digest), deleted: false });
    expect(info?.headers?.get('Content-Type')).toBe('application/json');
    const viaNats = await os.getBlob(ref.digest);
    expect(Buffer.from(viaNats as Uint8Array).equals(Buffer.from(body))).toBe(true);
    const put = await os.putBlob({ name: 'via-nats-js' }, new Uint8Array([1, 2, 3])).catch((e: unknown) => e);
    expect([JsErrCodes.purgeNotPermitted, JsErrCodes.rollupNotPermitted]).toContain(jsErrCode(put));
  });

  it('cuts a 3 MiB blob into 128 KiB chunks, each a message under max_payload', async () => {
    const body = uniqueBody(3 * MiB);
    const ref = await store.put(body, { capBytes: 5 * MiB });
    const info = await (await nc.jetstream().views.os(bucket)).info(ref.digest);
    expect(info?.chunks).toBe(24);
    expect(await messageCount(jsm, bucketStreamName(bucket), chunkSubject(bucket, info?.nuid ?? ''))).toBe(24);
  });

  it('10 concurrent puts of the same content write exactly one metadata message (buffered and streamed paths)', async () => {
    const small = await JetStreamBlobStore.create(nc, { bucket, maxBufferBytes: 16 * 1024 });
    for (const s of [store, small]) {
      const body = uniqueBody(200 * 1024);
      await Promise.all(Array.from({ length: 10 }, () => s.put(chunked(body, 32 * 1024), { capBytes: MiB })));
      expect(await messageCount(jsm, bucketStreamName(bucket), metaSubject(bucket, sha256(body)))).toBe(1);
      expect(Buffer.from((await s.get(sha256(body))) as Uint8Array).equals(Buffer.from(body))).toBe(true);
    }
  });

  it('a buffered duplicate put publishes nothing; a streamed one (beyond maxBufferBytes) orphans its chunks', async () => {
    const small = await JetStreamBlobStore.create(nc, { bucket, maxBufferBytes: 16 * 1024 });
    const stream = bucketStreamName(bucket);
    const body = uniqueBody(100 * 1024);
    await store.put(body, { capBytes: MiB });
    const before = await messageCount(jsm, stream);
    await store.put(chunked(body, 10_000), { capBytes: MiB });
    expect(await messageCount(jsm, stream)).toBe(before);
    await small.put(chunked(body, 10_000), { capBytes: MiB });
    expect(await messageCount(jsm, stream)).toBe(before + 1); // one orphaned 100 KiB chunk, no metadata
    expect(await messageCount(jsm, stream, metaSubject(bucket, sha256(body)))).toBe(1);
  });

  it('a later forged metadata message (a "deleted" marker) does not hide the blob', async () => {
    const body = uniqueBody(1000);
    const ref = await store.put(body, { capBytes: MiB });
    const os = await nc.jetstream().views.os(bucket);
    const info = (await os.info(ref.digest)) as unknown as { nuid: string };
    const forged: ObjectMetaRecord = {
      name: ref.digest,
      description: '',
      bucket,
      nuid: info.nuid,
      size: 0,
      chunks: 0,
      digest: '',
      deleted: true,
      mtime: new Date().toISOString(),
    };
    await nc.jetstream().publish(metaSubject(bucket, ref.digest), new TextEncoder().encode(JSON.stringify(forged)));
    await expect(os.get(ref.digest)).resolves.toBeNull(); // nats.js believes the last metadata
    await expect(store.has(ref.digest)).resolves.toBe(true); // the adapter the first one
    expect(Buffer.from((await store.get(ref.digest)) as Uint8Array).equals(Buffer.from(body))).toBe(true);
  });

  it('detects a forged first metadata pointing at other bytes (BlobCorrupt, never wrong bytes)', async () => {
    const real = await store.put(uniqueBody(1000), { capBytes: MiB });
    const victim = sha256(uniqueBody(1000)); // a digest not stored yet
    const info = await (await nc.jetstream().views.os(bucket)).info(real.digest);
    const forged: ObjectMetaRecord = {
      name: victim,
      description: '',
      bucket,
      nuid: info?.nuid ?? '',
      size: info?.size ?? 0,
      chunks: info?.chunks ?? 0,
      digest: objectStoreDigest(victim),
      deleted: false,
      mtime: new Date().toISOString(),
    };
    await nc.jetstream().publish(metaSubject(bucket, victim), new TextEncoder().encode(JSON.stringify(forged)));
    await expect(store.get(victim)).rejects.toBeInstanceOf(BlobCorrupt);
    const stream = await store.getStream(victim);
    const read = (async () => {
      for await (const _ of stream as AsyncIterable<Uint8Array>) {
        /* drain */
      }
    })();
    await expect(read).rejects.toBeInstanceOf(BlobCorrupt);
  });

  it('delete purges the blob\'s metadata and chunks, forged later metadata included', async () => {
    const stream = bucketStreamName(bucket);
    const body = uniqueBody(300 * 1024);
    const ref = await store.put(body, { capBytes: MiB });
    const os = await nc.jetstream().views.os(bucket);
    const nuid = (await os.info(ref.digest))?.nuid ?? '';
    await nc.jetstream().publish(metaSubject(bucket, ref.digest), new TextEncoder().encode('{"forged":true}'));
    const before = await messageCount(jsm, stream);
    expect(await messageCount(jsm, stream, chunkSubject(bucket, nuid))).toBe(3);
    await expect(store.delete(ref.digest)).resolves.toBe(true);
    expect(await messageCount(jsm, stream, chunkSubject(bucket, nuid))).toBe(0);
    expect(await messageCount(jsm, stream, metaSubject(bucket, ref.digest))).toBe(0);
    expect(await messageCount(jsm, stream)).toBe(before - 5);
    await expect(os.info(ref.digest)).resolves.toBeNull(); // nats.js agrees
  });

  it('deletes a blob whose metadata is malformed (a corrupt blob can still be pruned)', async () => {
    const victim = sha256(uniqueBody(100));
    await nc.jetstream().publish(metaSubject(bucket, victim), new TextEncoder().encode('not json'), { expect: { lastSubjectSequence: 0 } });
    await expect(store.has(victim)).rejects.toBeInstanceOf(BlobCorrupt);
    await expect(store.delete(victim)).resolves.toBe(true);
    await expect(store.has(victim)).resolves.toBe(false);
  });

  it('a bucket an operator locked with deny_purge opens, keeps every blob and refuses delete', async () => {
    const locked = uniqueBucket('test_locked');
    await jsm.streams.add({ ...evidenceBucketStreamConfig({ bucket: locked }), deny_purge: true });
    created.push(bucketStreamName(locked));
    const s = await JetStreamBlobStore.create(nc, { bucket: locked });
    const body = uniqueBody(1000);
    const ref = await s.put(body, { capBytes: MiB });
    await expect(s.delete(ref.digest)).rejects.toBeInstanceOf(BlobDeleteRefused);
    await expect(s.delete(ref.digest)).rejects.toThrow(/deny_purge/);
    expect(Buffer.from((await s.get(ref.digest)) as Uint8Array).equals(Buffer.from(body))).toBe(true);
  });

  it('maps a NATS outage to BlobStoreUnavailable', async () => {
    const nc2 = await connect({ servers, name: 'blob-store-outage' });
    const s2 = await JetStreamBlobStore.create(nc2, { bucket, timeoutMs: 1000 });
    const ref = await s2.put(uniqueBody(100), { capBytes: 100 });
    await nc2.close();
    await expect(s2.put(uniqueBody(100), { capBytes: 100 })).rejects.toBeInstanceOf(BlobStoreUnavailable);
    await expect(s2.get(ref.digest)).rejects.toBeInstanceOf(BlobStoreUnavailable);
    await expect(s2.has(ref.digest)).rejects.toBeInstanceOf(BlobStoreUnavailable);
    await expect(s2.delete(ref.digest)).rejects.toBeInstanceOf(BlobStoreUnavailable);
  });

  it('a destroyed bucket (stream deleted by an operator) reads as unavailable, not as absent', async () => {
    const b = uniqueBucket('test_gone');
    const s = await JetStreamBlobStore.create(nc, { bucket: b, timeoutMs: 1000 });
    await jsm.streams.delete(bucketStreamName(b));
    await expect(s.has(sha256(uniqueBody(1)))).rejects.toBeInstanceOf(BlobStoreUnavailable);
    await expect(s.delete(sha256(uniqueBody(1)))).rejects.toBeInstanceOf(BlobStoreUnavailable);
  });
});
