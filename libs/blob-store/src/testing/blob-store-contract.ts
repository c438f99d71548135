/// <reference types="jest" />
import { createHash, randomBytes } from 'node:crypto';
import { BodyHasher } from '../body-digest';
import { BlobStoreUnavailable, InvalidArgument, type BlobRef, type BlobStore } from '../port';

export interface BlobStoreHarness {
  store: BlobStore;
  /**
   * A backend-specific measure of what is stored (e.g. message count); a put of content that is
   * already stored must not change it.
   */
  footprint(): Promise<number>;
  /**
   * Try to remove or rewrite the stored blob with the backend's native client, by every path other
   * than the one BlobStore.delete uses (e.g. JetStream: message deletes, rollups, lifting the
   * guards); must reject.
   */
  attemptDelete(digest: string): Promise<void>;
  /** Open a second store on the same backend (its own close() must not affect `store`). */
  openAnother?(): Promise<BlobStore>;
  dispose(): Promise<void>;
  /** When set, the immutability test is skipped and this reason printed. */
  immutabilitySkipReason?: string;
}

export const EMPTY_SHA256 = 'sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';

export function sha256(bytes: Uint8Array): string {
  return `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
}

/** Unique content: the backing store is shared and persistent. */
export function uniqueBody(size: number): Uint8Array {
  const body = new Uint8Array(randomBytes(size));
  return body;
}

export async function* chunked(body: Uint8Array, chunkSize: number): AsyncGenerator<Uint8Array> {
  for (let off = 0; off < body.length; off += chunkSize) {
    await Promise.resolve();
    yield body.subarray(off, Math.min(off + chunkSize, body.length));
  }
}

async function collect(stream: AsyncIterable<Uint8Array>): Promise<{ bytes: Uint8Array; parts: number }> {
  const parts: Uint8Array[] = [];
  for await (const p of stream) parts.push(p);
  return { bytes: new Uint8Array(Buffer.concat(parts)), parts: parts.length };
}

function expectSameBytes(actual: Uint8Array | undefined, expected: Uint8Array): void {
  expect(actual).toBeInstanceOf(Uint8Array);
  expect(actual?.length).toBe(expected.length);
  // Buffer.equals: a byte-wise comparison that stays fast on megabytes (toEqual is not).
  expect(Buffer.from(actual as Uint8Array).equals(Buffer.from(expected))).toBe(true);
}

const MiB = 1024 * 1024;

/**
 * The BlobStore contract, written once and run against every adapter. Registers jest describe
 * blocks; `harness` is called once (beforeAll) and disposed in afterAll.
 */
export function blobStoreContract(name: string, harness: () => Promise<BlobStoreHarness>): void {
  describe(`BlobStore contract: ${name}`, () => {
    jest.setTimeout(60_000);
    let h: BlobStoreHarness;
    let store: BlobStore;

    beforeAll(async () => {
      h = await harness();
      store = h.store;
    });
    afterAll(async () => {
      await h?.dispose();
    });

    describe('put and get', () => {
      it('round-trips a Uint8Array body byte for byte', async () => {
        const body = uniqueBody(1000);
        const ref = await store.put(body, { capBytes: 4096, contentType: 'application/json' });
        const digest = sha256(body);
        expect(ref).toEqual<BlobRef>({ digest, size: 1000, truncated: false, storedDigest: digest, storedSize: 1000 });
        expectSameBytes(await store.get(ref.digest), body);
        const stream = await store.getStream(ref.digest);
        expect(stream).toBeDefined();
        expectSameBytes((await collect(stream as AsyncIterable<Uint8Array>)).bytes, body);
        await expect(store.has(ref.digest)).resolves.toBe(true);
      });

      it('a streamed body and the same bytes as one Uint8Array give the same ref', async () => {
        const body = uniqueBody(10_000);
        const streamed = await store.put(chunked(body, 777), { capBytes: 1 * MiB });
        const whole = await store.put(body, { capBytes: 1 * MiB });
        expect(streamed).toEqual(whole);
        expect(streamed.digest).toBe(sha256(body));
        expectSameBytes(await store.get(streamed.digest), body);
      });

      it('the ref equals what BodyHasher computes for the same body and cap', async () => {
        const body = uniqueBody(5000);
        for (const cap of [0, 1, 4999, 5000, 5001, 1 * MiB]) {
          const tap = new BodyHasher(cap);
          for (let off = 0; off < body.length; off += 1234) tap.update(body.subarray(off, off + 1234));
          await expect(store.put(chunked(body, 999), { capBytes: cap })).resolves.toEqual(tap.result());
        }
      });

      it('stores an empty body', async () => {
        const ref = await store.put(new Uint8Array(0), { capBytes: 1024 });
        expect(ref).toEqual({ digest: EMPTY_SHA256, size: 0, truncated: false, storedDigest: EMPTY_SHA256, storedSize: 0 });
        await expect(store.has(EMPTY_SHA256)).resolves.toBe(true);
        const got = await store.get(EMPTY_SHA256);
        expect(got).toBeInstanceOf(Uint8Array);
        expect(got?.length).toBe(0);
        // An empty stream too.
        await expect(store.put(chunked(new Uint8Array(0), 10), { capBytes: 0 })).resolves.toEqual(ref);
      });

      it('streams a 3 MiB body in 64 KiB chunks whole under a 5 MiB cap', async () => {
        const body = uniqueBody(3 * MiB);
        const ref = await store.put(chunked(body, 64 * 1024), { capBytes: 5 * MiB, contentType: 'application/json' });
        expect(ref).toEqual({ digest: sha256(body), size: 3 * MiB, truncated: false, storedDigest: sha256(body), storedSize: 3 * MiB });
        const { bytes, parts } = await collect((await store.getStream(ref.digest)) as AsyncIterable<Uint8Array>);
        expectSameBytes(bytes, body);
        expect(parts).toBeGreaterThan(1); // really streamed, not one 3 MiB piece
        expectSameBytes(await store.get(ref.digest), body);
      });
    });

    describe('content addressing and idempotency', () => {
      it('the same content twice gives the same ref and is stored once', async () => {
        const body = uniqueBody(2048);
        const first = await store.put(body, { capBytes: 4096 });
        const before = await h.footprint();
        const again = await store.put(chunked(body, 100), { capBytes: 4096, contentType: 'text/plain' });
        expect(again).toEqual(first);
        expect(await h.footprint()).toBe(before);
        expectSameBytes(await store.get(first.digest), body);
      });

      it('different content gives different digests', async () => {
        const a = uniqueBody(512);
        const b = new Uint8Array(a);
        b[511] = (b[511] ?? 0) ^ 1;
        const [ra, rb] = await Promise.all([store.put(a, { capBytes: 1024 }), store.put(b, { capBytes: 1024 })]);
        expect(ra.digest).not.toBe(rb.digest);
        expectSameBytes(await store.get(ra.digest), a);
        expectSameBytes(await store.get(rb.digest), b);
      });

      it('10 concurrent puts of the same content all succeed with the same ref', async () => {
        const body = uniqueBody(300 * 1024);
        const refs = await Promise.all(
          Array.from({ length: 10 }, (_, i) => store.put(i % 2 ? body : chunked(body, 64 * 1024), { capBytes: 1 * MiB })),
        );
        for (const r of refs) expect(r).toEqual(refs[0]);
        expectSameBytes(await store.get(sha256(body)), body);
      });
    });

    describe('cap and truncation', () => {
      it('keeps the first capBytes bytes of a larger body; digest and size describe the whole body', async () => {
        const body = uniqueBody(3 * MiB);
        const cap = 1 * MiB + 5;
        const ref = await store.put(chunked(body, 64 * 1024), { capBytes: cap });
        const prefix = body.subarray(0, cap);
        expect(ref).toEqual({ digest: sha256(body), size: 3 * MiB, truncated: true, storedDigest: sha256(prefix), storedSize: cap });
        expectSameBytes(await store.get(ref.storedDigest), prefix);
        // The whole-body digest never names the prefix.
        await expect(store.has(ref.digest)).resolves.toBe(false);
        await expect(store.get(ref.digest)).resolves.toBeUndefined();
      });

      it('a body of exactly capBytes bytes is not truncated; one byte more is', async () => {
        const body = uniqueBody(100);
        await expect(store.put(body, { capBytes: 100 })).resolves.toMatchObject({ truncated: false, size: 100, storedSize: 100 });
        const more = await store.put(body, { capBytes: 99 });
        expect(more).toMatchObject({ truncated: true, size: 100, storedSize: 99, digest: sha256(body), storedDigest: sha256(body.subarray(0, 99)) });
        expectSameBytes(await store.get(more.storedDigest), body.subarray(0, 99));
        // The untruncated put above stored the whole body under its digest.
        expectSameBytes(await store.get(more.digest), body);
      });

      it('cap 0 keeps nothing but still digests the whole body', async () => {
        const body = uniqueBody(10);
        const ref = await store.put(chunked(body, 3), { capBytes: 0 });
        expect(ref).toEqual({ digest: sha256(body), size: 10, truncated: true, storedDigest: EMPTY_SHA256, storedSize: 0 });
        expect((await store.get(EMPTY_SHA256))?.length).toBe(0);
      });

      it('rejects invalid caps', async () => {
        for (const capBytes of [-1, 1.5, Number.NaN, '10' as unknown as number, undefined as unknown as number]) {
          await expect(store.put(new Uint8Array([1]), { capBytes })).rejects.toBeInstanceOf(InvalidArgument);
        }
      });
    });

    describe('unknown and invalid digests', () => {
      it('an unknown digest is absent', async () => {
        const unknown = sha256(uniqueBody(64));
        await expect(store.has(unknown)).resolves.toBe(false);
        await expect(store.get(unknown)).resolves.toBeUndefined();
        await expect(store.getStream(unknown)).resolves.toBeUndefined();
      });

      it.each([
        ['empty', ''],
        ['no algorithm', 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855'],
        ['other algorithm', 'md5:d41d8cd98f00b204e9800998ecf8427e'],
        ['uppercase hex', 'sha256:E3B0C44298FC1C149AFBF4C8996FB92427AE41E4649B934CA495991B7852B855'],
        ['too short', 'sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b85'],
        ['too long', `${EMPTY_SHA256}0`],
        ['trailing newline', `${EMPTY_SHA256}\n`],
        ['subject wildcard', 'sha256:>'],
        ['path', '../sha256:e3b0'],
        ['not a string', 42 as unknown as string],
      ])('rejects %s', async (_label, bad) => {
        await expect(store.has(bad)).rejects.toBeInstanceOf(InvalidArgument);
        await expect(store.get(bad)).rejects.toBeInstanceOf(InvalidArgument);
        await expect(store.getStream(bad)).rejects.toBeInstanceOf(InvalidArgument);
        await expect(store.delete(bad)).rejects.toBeInstanceOf(InvalidArgument);
      });
    });

    describe('bodies', () => {
      it('rejects a body that is neither bytes nor an async iterable, and non-byte chunks', async () => {
        await expect(store.put('text' as unknown as Uint8Array, { capBytes: 10 })).rejects.toBeInstanceOf(InvalidArgument);
        async function* strings() {
          yield 'not bytes' as unknown as Uint8Array;
        }
        await expect(store.put(strings(), { capBytes: 10 })).rejects.toBeInstanceOf(InvalidArgument);
      });

      it("a source that fails mid-stream fails the put with the source's error and stores nothing under a ref", async () => {
        const body = uniqueBody(200 * 1024);
        async function* failing() {
          yield body.subarray(0, 100 * 1024);
          throw new Error('client went away');
        }
        await expect(store.put(failing(), { capBytes: 1 * MiB })).rejects.toThrow('client went away');
        await expect(store.has(sha256(body.subarray(0, 100 * 1024)))).resolves.toBe(false);
      });
    });

    describe('lifecycle', () => {
      it('a closed store refuses operations with BlobStoreUnavailable', async () => {
        if (!h.openAnother) return;
        const other = await h.openAnother();
        const ref = await other.put(uniqueBody(10), { capBytes: 10 });
        await other.close();
        await expect(other.put(uniqueBody(10), { capBytes: 10 })).rejects.toBeInstanceOf(BlobStoreUnavailable);
        await expect(other.get(ref.digest)).rejects.toBeInstanceOf(BlobStoreUnavailable);
        await expect(other.has(ref.digest)).rejects.toBeInstanceOf(BlobStoreUnavailable);
        await expect(other.delete(ref.digest)).rejects.toBeInstanceOf(BlobStoreUnavailable);
        // The main store is unaffected.
        await expect(store.has(ref.digest)).resolves.toBe(true);
      });
    });

    describe('delete (retention)', () => {
      it('a deleted blob is absent to has, get and getStream', async () => {
        const body = uniqueBody(4096);
        const ref = await store.put(body, { capBytes: 1 * MiB });
        await expect(store.delete(ref.digest)).resolves.toBe(true);
        await expect(store.has(ref.digest)).resolves.toBe(false);
        await expect(store.get(ref.digest)).resolves.toBeUndefined();
        await expect(store.getStream(ref.digest)).resolves.toBeUndefined();
      });

      it('deleting an absent blob returns false, also a second time', async () => {
        await expect(store.delete(sha256(uniqueBody(64)))).resolves.toBe(false);
        const ref = await store.put(uniqueBody(64), { capBytes: 1024 });
        await expect(store.delete(ref.digest)).resolves.toBe(true);
        await expect(store.delete(ref.digest)).resolves.toBe(false);
      });

      it('a put after a delete stores the bytes again', async () => {
        const body = uniqueBody(3000);
        const first = await store.put(body, { capBytes: 1 * MiB, contentType: 'application/json' });
        await store.delete(first.digest);
        const again = await store.put(chunked(body, 1000), { capBytes: 1 * MiB });
        expect(again).toEqual(first);
        await expect(store.has(first.digest)).resolves.toBe(true);
        expectSameBytes(await store.get(first.digest), body);
        expectSameBytes((await collect((await store.getStream(first.digest)) as AsyncIterable<Uint8Array>)).bytes, body);
      });

      it('a delete gives the space back and leaves other blobs alone', async () => {
        const body = uniqueBody(3 * MiB);
        const prefix = await store.put(chunked(body, 64 * 1024), { capBytes: 1 * MiB });
        const whole = await store.put(body, { capBytes: 5 * MiB });
        const other = uniqueBody(1000);
        await store.put(other, { capBytes: 1024 });
        const before = await h.footprint();
        await expect(store.delete(whole.storedDigest)).resolves.toBe(true);
        expect(await h.footprint()).toBeLessThan(before);
        // The truncated ref's prefix is a blob of its own, named by other bytes.
        expectSameBytes(await store.get(prefix.storedDigest), body.subarray(0, 1 * MiB));
        expectSameBytes(await store.get(sha256(other)), other);
        await expect(store.has(whole.digest)).resolves.toBe(false);
      });

      it('deletes the empty blob like any other', async () => {
        await store.put(new Uint8Array(0), { capBytes: 0 });
        await expect(store.delete(EMPTY_SHA256)).resolves.toBe(true);
        await expect(store.get(EMPTY_SHA256)).resolves.toBeUndefined();
        await store.put(new Uint8Array(0), { capBytes: 0 });
        expect((await store.get(EMPTY_SHA256))?.length).toBe(0);
      });
    });

    describe('immutability', () => {
      it('refuses native removal outside delete(); the blob reads back unchanged', async () => {
        if (h.immutabilitySkipReason) {
          console.warn(`[${name}] immutability test skipped: ${h.immutabilitySkipReason}`);
          return;
        }
        const body = uniqueBody(300 * 1024);
        const ref = await store.put(body, { capBytes: 1 * MiB });
        await expect(h.attemptDelete(ref.digest)).rejects.toThrow();
        await expect(store.has(ref.digest)).resolves.toBe(true);
        expectSameBytes(await store.get(ref.digest), body);
      });
    });
  });
}
