import { createHash } from 'node:crypto';
import { constants, createDeflate, inflateSync } from 'node:zlib';
import { SPDY_DICTIONARY } from '@chaperone/k8s-request';
import { encodeData, encodePing, FrameReader } from './frames';
import { HeaderBlockDecoder, HeaderBlockEncoder, parseHeaderBlock } from './header-block';

function rawBlock(pairs: [string, string][]): Buffer {
  const u32 = (n: number) => {
    const b = Buffer.alloc(4);
    b.writeUInt32BE(n);
    return b;
  };
  return Buffer.concat([u32(pairs.length), ...pairs.flatMap(([k, v]) => [u32(k.length), Buffer.from(k), u32(v.length), Buffer.from(v)])]);
}

/** Compresses blocks the way Go's SPDY framer does: one zlib stream with the dictionary, a sync flush per block. */
async function goStyleBlocks(blocks: Buffer[]): Promise<Buffer[]> {
  const deflate = createDeflate({ dictionary: SPDY_DICTIONARY, level: 9 });
  const out: Buffer[] = [];
  for (const block of blocks) {
    const chunks: Buffer[] = [];
    const onData = (c: Buffer) => chunks.push(c);
    deflate.on('data', onData);
    deflate.write(block);
    await new Promise<void>((resolve) => deflate.flush(constants.Z_SYNC_FLUSH, () => resolve()));
    await new Promise((r) => setImmediate(r));
    deflate.off('data', onData);
    out.push(Buffer.concat(chunks));
  }
  deflate.destroy();
  return out;
}

describe('SPDY/3.1 pieces for port-forward', () => {
  it('builds the spec dictionary byte for byte (1423 bytes, the well-known digest)', () => {
    expect(SPDY_DICTIONARY.length).toBe(1423);
    expect(createHash('sha256').update(SPDY_DICTIONARY).digest('hex')).toBe('51d27341373f923f3cd88e1eb7162aeaa3723d7585ff2399201dc06498407f02');
  });

  it('decodes a connection of header blocks compressed as one stream, in order', async () => {
    const headers = [
      [['streamtype', 'error'], ['port', '8080'], ['requestid', '0']],
      [['streamtype', 'data'], ['port', '8080'], ['requestid', '0']],
      [['streamtype', 'error'], ['port', '9090'], ['requestid', '1']],
    ] as [string, string][][];
    const compressed = await goStyleBlocks(headers.map(rawBlock));
    const decoder = new HeaderBlockDecoder();
    for (const [i, block] of compressed.entries()) {
      expect([...(await decoder.decode(block)).entries()]).toEqual(headers[i]);
    }
    decoder.close();
  });

  it('encodes blocks that a zlib inflater with the dictionary reads back, each ending in a sync-flush marker', () => {
    const encoder = new HeaderBlockEncoder();
    const blocks = [encoder.encode([]), encoder.encode([['x-a', 'b']])];
    for (const b of blocks) expect(b.subarray(-4)).toEqual(Buffer.from([0x00, 0x00, 0xff, 0xff]));
    const plain = inflateSync(Buffer.concat(blocks), { dictionary: SPDY_DICTIONARY, finishFlush: constants.Z_SYNC_FLUSH });
    expect(plain).toEqual(Buffer.concat([rawBlock([]), rawBlock([['x-a', 'b']])]));
    expect([...parseHeaderBlock(rawBlock([['x-a', 'b']])).entries()]).toEqual([['x-a', 'b']]);
  });

  it('reassembles frames cut at any byte, as a tunnel delivers them', () => {
    const bytes = Buffer.concat([encodeData(1, Buffer.from('hello')), encodePing(7), encodeData(3, Buffer.alloc(0), true)]);
    const reader = new FrameReader();
    const frames = [...bytes].flatMap((b) => reader.push(Buffer.of(b)));
    expect(frames).toEqual([
      { kind: 'data', streamId: 1, fin: false, data: Buffer.from('hello') },
      { kind: 'ping', id: 7 },
      { kind: 'data', streamId: 3, fin: true, data: Buffer.alloc(0) },
    ]);
  });
});
