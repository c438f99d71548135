import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { BodyHasher, blobRefOf, isBlobDigest, sha256Digest, validateBlobDigest } from './body-digest';
import { InvalidArgument, type BlobRef } from './port';

const hex = (b: Uint8Array) => `sha256:${createHash('sha256').update(b).digest('hex')}`;
const bytes = (s: string) => new TextEncoder().encode(s);

/** The reference definition of a BlobRef, straight from the port's rule. */
function expectedRef(body: Uint8Array, cap: number): BlobRef {
  const truncated = body.length > cap;
  const kept = truncated ? body.subarray(0, cap) : body;
  return { digest: hex(body), size: body.length, truncated, storedDigest: hex(kept), storedSize: kept.length };
}

describe('BodyHasher', () => {
  it('matches known sha256 vectors', () => {
    expect(blobRefOf(new Uint8Array(0)).digest).toBe('sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
    expect(blobRefOf(bytes('abc')).digest).toBe('sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  });

  it('without a cap, nothing is truncated and stored = whole', () => {
    const tap = new BodyHasher();
    tap.update(bytes('hello '));
    tap.update(bytes('world'));
    const d = hex(bytes('hello world'));
    expect(tap.result()).toEqual({ digest: d, size: 11, truncated: false, storedDigest: d, storedSize: 11 });
  });

  it('digests the whole body and the kept prefix when the cap falls inside a chunk', () => {
    const tap = new BodyHasher(4);
    expect(Buffer.from(tap.update(bytes('abc')))).toEqual(Buffer.from('abc'));
    expect(Buffer.from(tap.update(bytes('defg')))).toEqual(Buffer.from('d'));
    expect(tap.update(bytes('hij'))).toHaveLength(0);
    expect(tap.result()).toEqual(expectedRef(bytes('abcdefghij'), 4));
    expect(tap.result()).toMatchObject({ digest: hex(bytes('abcdefghij')), storedDigest: hex(bytes('abcd')), size: 10, storedSize: 4, truncated: true });
  });

  it('a body of exactly the cap is not truncated; the next byte truncates it (cap on a chunk boundary)', () => {
    const tap = new BodyHasher(3);
    tap.update(bytes('abc'));
    expect(tap.result()).toEqual(expectedRef(bytes('abc'), 3));
    expect(tap.result().truncated).toBe(false);
    tap.update(new Uint8Array(0));
    expect(tap.result().truncated).toBe(false);
    tap.update(bytes('d'));
    expect(tap.result()).toEqual(expectedRef(bytes('abcd'), 3));
  });

  it('cap 0 keeps nothing', () => {
    const tap = new BodyHasher(0);
    expect(tap.update(bytes('xyz'))).toHaveLength(0);
    expect(tap.result()).toEqual(expectedRef(bytes('xyz'), 0));
    expect(new BodyHasher(0).result()).toEqual(expectedRef(new Uint8Array(0), 0));
  });

  it('result() is a snapshot: callable repeatedly, updates continue afterwards', () => {
    const tap = new BodyHasher(5);
    tap.update(bytes('abc'));
    const first = tap.result();
    expect(tap.result()).toEqual(first);
    tap.update(bytes('defgh'));
    expect(tap.result()).toEqual(expectedRef(bytes('abcdefgh'), 5));
    expect(tap.bytesSeen).toBe(8);
  });

  it('rejects invalid caps and non-byte chunks', () => {
    for (const cap of [-1, 0.5, Number.NaN, '3' as unknown as number]) expect(() => new BodyHasher(cap)).toThrow(InvalidArgument);
    expect(() => new BodyHasher(1).update('abc' as unknown as Uint8Array)).toThrow(InvalidArgument);
  });

  it('property: any split into chunks gives the reference ref, and the kept parts concatenate to the prefix', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ maxLength: 2000 }),
        fc.array(fc.nat({ max: 2000 }), { maxLength: 12 }),
        fc.oneof(fc.nat({ max: 2100 }), fc.constant(Number.POSITIVE_INFINITY)),
        (body, cuts, cap) => {
          const points = [...new Set(cuts.map((c) => Math.min(c, body.length)))].sort((a, b) => a - b);
          const tap = new BodyHasher(cap);
          const kept: Uint8Array[] = [];
          let prev = 0;
          for (const p of [...points, body.length]) {
            kept.push(tap.update(body.subarray(prev, p)));
            prev = p;
          }
          const ref = tap.result();
          expect(ref).toEqual(expectedRef(body, cap));
          expect(ref).toEqual(blobRefOf(body, cap)); // one chunk = many chunks
          expect(hex(new Uint8Array(Buffer.concat(kept)))).toBe(ref.storedDigest);
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe('digest strings', () => {
  it('accepts sha256:<64 lowercase hex> only', () => {
    const ok = sha256Digest(bytes('x'));
    expect(isBlobDigest(ok)).toBe(true);
    expect(() => validateBlobDigest(ok)).not.toThrow();
    for (const bad of ['', ok.toUpperCase(), ok.slice(0, -1), `${ok}a`, `${ok}\n`, ok.replace('sha256', 'sha512'), 'sha256:*', null, 7]) {
      expect(isBlobDigest(bad)).toBe(false);
      expect(() => validateBlobDigest(bad)).toThrow(InvalidArgument);
    }
  });
});
