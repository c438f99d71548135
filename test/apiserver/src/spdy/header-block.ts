import { createInflate, Inflate, constants } from 'node:zlib';
import { SPDY_DICTIONARY } from '@chaperone/k8s-request';

/**
 * SPDY header blocks: a count, then length-prefixed name/value pairs (values joined by NUL), all
 * compressed as ONE zlib stream per direction with the SPDY dictionary, flushed after each block.
 */
export type Headers = Map<string, string>;

/** Inflates the peer's blocks in order; the zlib context carries over from block to block. */
export class HeaderBlockDecoder {
  private readonly inflate: Inflate = createInflate({ dictionary: SPDY_DICTIONARY, finishFlush: constants.Z_SYNC_FLUSH, flush: constants.Z_SYNC_FLUSH });

  constructor() {
    this.inflate.on('error', () => undefined);
  }

  decode(block: Buffer): Promise<Headers> {
    return new Promise((resolve, reject) => {
      this.inflate.write(block, (err) => {
        if (err) return reject(err);
        const out = (this.inflate.read() as Buffer | null) ?? Buffer.alloc(0);
        try {
          resolve(parseHeaderBlock(out));
        } catch (e) {
          reject(e instanceof Error ? e : new Error(String(e)));
        }
      });
    });
  }

  close(): void {
    this.inflate.destroy();
  }
}

export function parseHeaderBlock(buf: Buffer): Headers {
  const headers: Headers = new Map();
  let off = 0;
  const u32 = () => {
    if (off + 4 > buf.length) throw new Error('truncated SPDY header block');
    const v = buf.readUInt32BE(off);
    off += 4;
    return v;
  };
  const str = () => {
    const len = u32();
    if (off + len > buf.length) throw new Error('truncated SPDY header block');
    const s = buf.toString('latin1', off, off + len);
    off += len;
    return s;
  };
  for (let n = u32(); n > 0; n--) {
    const name = str();
    headers.set(name.toLowerCase(), str().split('\0')[0] ?? '');
  }
  return headers;
}

/**
 * Our own blocks go out as zlib *stored* (uncompressed) deflate blocks: a valid continuation of
 * the stream for the peer's inflater, and no compressor state to keep. The first block carries
 * the zlib header naming the dictionary. Each block ends with an empty stored block, the marker
 * a sync flush writes: Go's inflater hands out a stored block's bytes only when it reaches the
 * next block, and must not have to read past the frame to get there.
 */
export class HeaderBlockEncoder {
  private started = false;

  encode(pairs: [string, string][]): Buffer {
    const parts: Buffer[] = [u32(pairs.length)];
    for (const [name, value] of pairs) {
      parts.push(u32(name.length), Buffer.from(name.toLowerCase(), 'latin1'), u32(Buffer.byteLength(value, 'latin1')), Buffer.from(value, 'latin1'));
    }
    const raw = Buffer.concat(parts);
    const stored = Buffer.alloc(5);
    stored.writeUInt8(0x00, 0); // BFINAL=0, BTYPE=00 (stored)
    stored.writeUInt16LE(raw.length, 1);
    stored.writeUInt16LE(~raw.length & 0xffff, 3);
    const out: Buffer[] = [stored, raw, SYNC_FLUSH_MARKER];
    if (!this.started) {
      this.started = true;
      out.unshift(zlibHeaderWithDictionary());
    }
    return Buffer.concat(out);
  }
}

const SYNC_FLUSH_MARKER = Buffer.from([0x00, 0x00, 0x00, 0xff, 0xff]);

function u32(v: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(v);
  return b;
}

/** CMF=0x78 (deflate, 32K window), FLG with FDICT set and a valid check, then the dictionary's Adler-32. */
function zlibHeaderWithDictionary(): Buffer {
  const cmf = 0x78;
  let flg = 0x20 | 0x80; // FDICT, FLEVEL=2
  flg += 31 - ((cmf * 256 + flg) % 31);
  const head = Buffer.alloc(6);
  head.writeUInt8(cmf, 0);
  head.writeUInt8(flg, 1);
  head.writeUInt32BE(adler32(SPDY_DICTIONARY), 2);
  return head;
}

function adler32(data: Buffer): number {
  let a = 1;
  let b = 0;
  for (const byte of data) {
    a = (a + byte) % 65521;
    b = (b + a) % 65521;
  }
  return ((b << 16) | a) >>> 0;
}
