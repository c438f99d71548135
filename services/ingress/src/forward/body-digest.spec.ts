import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { BodyDigestTap } from './body-digest';

describe('BodyDigestTap', () => {
  it('digests the empty body', () => {
    expect(new BodyDigestTap().result()).toEqual({
      digest: 'sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
      size: 0,
    });
  });

  it('gives the digest of the whole body however it is split into chunks', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 4096 }), fc.array(fc.nat(4096), { maxLength: 8 }), (body, cuts) => {
        const tap = new BodyDigestTap();
        const points = [...new Set(cuts.map((c) => c % (body.length + 1)))].sort((a, b) => a - b);
        let last = 0;
        for (const p of [...points, body.length]) {
          tap.update(Buffer.from(body.subarray(last, p)));
          last = p;
        }
        expect(tap.result()).toEqual({ digest: `sha256:${createHash('sha256').update(body).digest('hex')}`, size: body.length });
      }),
    );
  });
});
