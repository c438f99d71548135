import { constants, inflateSync } from 'node:zlib';
import { SPDY_DICTIONARY } from '@chaperone/k8s-request';

const HEADER = 8;
const SYN_STREAM = 1;
/** Control frames are small; a larger one means this is not the SPDY we expect, and watching stops. */
const MAX_CONTROL = 64 * 1024;
/** Streams whose headers are read; kubectl opens two per local connection. */
const MAX_STREAMS = 64;

/**
 * The pod ports a port-forward reaches, read from the SPDY stream that kubectl tunnels through the
 * WebSocket: every SYN_STREAM names its `port`. Data frames are skipped unread. Header blocks are
 * one zlib stream per direction (primed with the SPDY dictionary); each new block is inflated with
 * the ones before it, so the first MAX_STREAMS streams cost little and nothing is kept after.
 * Metadata only: anything unexpected stops the watching, never the relay.
 */
export class SpdyPortWatcher {
  readonly ports = new Set<number>();
  private pending: Buffer = Buffer.alloc(0);
  private skip = 0;
  private blocks: Buffer[] = [];
  private inflated = 0;
  private done = false;

  push(bytes: Buffer): void {
    if (this.done) return;
    let data = bytes;
    while (data.length > 0 && !this.done) {
      if (this.skip > 0) {
        const n = Math.min(this.skip, data.length);
        this.skip -= n;
        data = data.subarray(n);
        continue;
      }
      this.pending = this.pending.length ? Buffer.concat([this.pending, data]) : data;
      data = Buffer.alloc(0);
      this.frames();
    }
  }

  private frames(): void {
    while (this.pending.length >= HEADER && !this.done) {
      const control = ((this.pending[0] as number) & 0x80) !== 0;
      const length = this.pending.readUIntBE(5, 3);
      if (!control) {
        // A data frame: its payload is the agent's traffic, never looked at.
        const inHand = Math.min(length, this.pending.length - HEADER);
        this.skip = length - inHand;
        this.pending = this.pending.subarray(HEADER + inHand);
        continue;
      }
      if (length > MAX_CONTROL) return this.stop();
      if (this.pending.length < HEADER + length) return;
      const type = this.pending.readUInt16BE(2);
      const body = this.pending.subarray(HEADER, HEADER + length);
      this.pending = this.pending.subarray(HEADER + length);
      if (type === SYN_STREAM && body.length >= 10) this.synStream(body.subarray(10));
    }
  }

  private synStream(block: Buffer): void {
    if (this.blocks.length >= MAX_STREAMS) return this.stop();
    this.blocks.push(Buffer.from(block));
    try {
      const all = inflateSync(Buffer.concat(this.blocks), { dictionary: SPDY_DICTIONARY, finishFlush: constants.Z_SYNC_FLUSH });
      const port = Number(headerValue(all.subarray(this.inflated), 'port'));
      this.inflated = all.length;
      if (Number.isInteger(port) && port >= 1 && port <= 65535) this.ports.add(port);
    } catch {
      this.stop();
    }
  }

  private stop(): void {
    this.done = true;
    this.pending = Buffer.alloc(0);
    this.blocks = [];
  }
}

/** A header's value in one SPDY/3 header block (a count, then length-prefixed names and values). */
function headerValue(block: Buffer, wanted: string): string | undefined {
  let at = 0;
  const u32 = () => {
    const v = block.readUInt32BE(at);
    at += 4;
    return v;
  };
  const text = () => {
    const n = u32();
    const s = block.toString('latin1', at, at + n);
    at += n;
    return s;
  };
  for (let count = u32(); count > 0; count--) {
    const name = text().toLowerCase();
    const value = text();
    if (name === wanted) return value.split('\0')[0];
  }
  return undefined;
}
