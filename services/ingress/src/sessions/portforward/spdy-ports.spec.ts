import { constants, createDeflate, type Deflate } from 'node:zlib';
import { SPDY_DICTIONARY } from '@chaperone/k8s-request';
import { SpdyPortWatcher } from './spdy-ports';

/** Compresses header blocks as a SPDY/3 client does: one zlib stream, sync-flushed after each block. */
function compressor(): { block(pairs: [string, string][]): Promise<Buffer> } {
  const deflate: Deflate = createDeflate({ dictionary: SPDY_DICTIONARY });
  const out: Buffer[] = [];
  deflate.on('data', (c: Buffer) => out.push(c));
  return {
    block: (pairs) =>
      new Promise((resolve) => {
        const parts: Buffer[] = [u32(pairs.length)];
        for (const [k, v] of pairs) parts.push(u32(k.length), Buffer.from(k), u32(v.length), Buffer.from(v));
        deflate.write(Buffer.concat(parts));
        deflate.flush(constants.Z_SYNC_FLUSH, () => resolve(Buffer.concat(out.splice(0))));
      }),
  };
}

function u32(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n);
  return b;
}

function synStream(id: number, block: Buffer): Buffer {
  const head = Buffer.alloc(18);
  head.writeUInt16BE(0x8003, 0);
  head.writeUInt16BE(1, 2);
  head.writeUIntBE(10 + block.length, 5, 3);
  head.writeUInt32BE(id, 8);
  return Buffer.concat([head, block]);
}

function dataFrame(id: number, payload: Buffer): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(id, 0);
  head.writeUIntBE(payload.length, 5, 3);
  return Buffer.concat([head, payload]);
}

describe('SpdyPortWatcher: the ports of kubectl’s port-forward tunnel', () => {
  it('given SYN_STREAMs naming ports between data frames, cut anywhere, then every port is found', async () => {
    const z = compressor();
    const wire = Buffer.concat([
      synStream(1, await z.block([['streamtype', 'error'], ['port', '8080'], ['requestid', '0']])),
      synStream(3, await z.block([['streamtype', 'data'], ['port', '8080'], ['requestid', '0']])),
      dataFrame(3, Buffer.alloc(70_000, 0x80)),
      synStream(5, await z.block([['streamtype', 'error'], ['port', '9090'], ['requestid', '1']])),
    ]);
    for (const step of [1, 7, 4096, wire.length]) {
      const w = new SpdyPortWatcher();
      for (let at = 0; at < wire.length; at += step) w.push(wire.subarray(at, at + step));
      expect([...w.ports]).toEqual([8080, 9090]);
    }
  });

  it('given bytes that are not SPDY, then it stops watching without throwing', () => {
    const w = new SpdyPortWatcher();
    const junk = Buffer.alloc(16, 0xff);
    expect(() => w.push(junk)).not.toThrow();
    expect(w.ports.size).toBe(0);
  });
});
