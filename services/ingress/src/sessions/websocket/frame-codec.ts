import { randomBytes } from 'node:crypto';

/** RFC 6455 §5.2 opcodes. */
export const Opcode = Object.freeze({ continuation: 0x0, text: 0x1, binary: 0x2, close: 0x8, ping: 0x9, pong: 0xa });

/** RFC 6455 §7.4.1 close codes the relay sends. */
export const CloseCode = Object.freeze({ normal: 1000, goingAway: 1001, protocolError: 1002, tooBig: 1009, internalError: 1011 });

export interface Frame {
  readonly fin: boolean;
  readonly opcode: number;
  /** The payload, unmasked. */
  readonly payload: Buffer;
  /** The frame exactly as it arrived (still masked when the sender masked it), to pass on untouched. */
  readonly raw: Buffer;
}

/** The peer broke the framing rules: the connection is closed with `code`. */
export class WebSocketProtocolError extends Error {
  override readonly name = 'WebSocketProtocolError';
  constructor(
    message: string,
    readonly code: number = CloseCode.protocolError,
  ) {
    super(message);
  }
}

const isControl = (opcode: number): boolean => (opcode & 0x8) !== 0;
const KNOWN = new Set<number>(Object.values(Opcode));

/**
 * Splits one direction of a WebSocket connection into frames. `masked` is what the sender must do
 * (a client masks every frame, a server none: §5.1); no extension is negotiated through the relay,
 * so the reserved bits must be clear. Bytes are kept as a list of chunks and joined once per frame,
 * so a large frame arriving in many reads costs one copy.
 */
export class FrameDecoder {
  private chunks: Buffer[] = [];
  private size = 0;

  constructor(private readonly opts: { masked: boolean; maxFrameBytes: number }) {}

  push(chunk: Buffer): Frame[] {
    if (chunk.length > 0) {
      this.chunks.push(chunk);
      this.size += chunk.length;
    }
    const frames: Frame[] = [];
    for (let f = this.next(); f; f = this.next()) frames.push(f);
    return frames;
  }

  /** Bytes received but not yet a whole frame. */
  get buffered(): number {
    return this.size;
  }

  private next(): Frame | undefined {
    if (this.size < 2) return undefined;
    const head = this.peek(Math.min(this.size, 14));
    const b0 = head[0] as number;
    const b1 = head[1] as number;
    const opcode = b0 & 0x0f;
    if ((b0 & 0x70) !== 0) throw new WebSocketProtocolError('reserved bits set without an extension');
    if (!KNOWN.has(opcode)) throw new WebSocketProtocolError(`unknown opcode ${opcode}`);
    const masked = (b1 & 0x80) !== 0;
    if (masked !== this.opts.masked) throw new WebSocketProtocolError(masked ? 'a server frame is masked' : 'a client frame is not masked');
    let length = b1 & 0x7f;
    let at = 2;
    if (length === 126) {
      if (head.length < 4) return undefined;
      length = head.readUInt16BE(2);
      at = 4;
    } else if (length === 127) {
      if (head.length < 10) return undefined;
      const big = head.readBigUInt64BE(2);
      if (big > BigInt(this.opts.maxFrameBytes)) throw new WebSocketProtocolError('frame too large', CloseCode.tooBig);
      length = Number(big);
      at = 10;
    }
    const fin = (b0 & 0x80) !== 0;
    if (isControl(opcode) && (length > 125 || !fin)) throw new WebSocketProtocolError('control frames are short and unfragmented');
    if (length > this.opts.maxFrameBytes) throw new WebSocketProtocolError('frame too large', CloseCode.tooBig);
    const payloadAt = at + (masked ? 4 : 0);
    if (this.size < payloadAt + length) return undefined;
    const raw = this.take(payloadAt + length);
    const payload = Buffer.from(raw.subarray(payloadAt));
    if (masked) unmask(payload, raw.subarray(at, at + 4));
    return { fin, opcode, payload, raw };
  }

  /** The first n bytes (n <= size), without consuming them. */
  private peek(n: number): Buffer {
    const first = this.chunks[0] as Buffer;
    if (first.length >= n) return first;
    return Buffer.concat(this.chunks, n);
  }

  private take(n: number): Buffer {
    const first = this.chunks[0] as Buffer;
    let out: Buffer;
    if (first.length >= n) {
      out = first.subarray(0, n);
      if (first.length === n) this.chunks.shift();
      else this.chunks[0] = first.subarray(n);
    } else {
      out = Buffer.concat(this.chunks, n);
      let left = n;
      while (left > 0) {
        const c = this.chunks[0] as Buffer;
        if (c.length <= left) {
          this.chunks.shift();
          left -= c.length;
        } else {
          this.chunks[0] = c.subarray(left);
          left = 0;
        }
      }
    }
    this.size -= n;
    return out;
  }
}

/** XOR with the 4-byte key in place (the same operation masks and unmasks). */
export function unmask(data: Buffer, key: Buffer): void {
  const k0 = key[0] as number;
  const k1 = key[1] as number;
  const k2 = key[2] as number;
  const k3 = key[3] as number;
  const n = data.length;
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    data[i] = (data[i] as number) ^ k0;
    data[i + 1] = (data[i + 1] as number) ^ k1;
    data[i + 2] = (data[i + 2] as number) ^ k2;
    data[i + 3] = (data[i + 3] as number) ^ k3;
  }
  for (; i < n; i++) data[i] = (data[i] as number) ^ (key[i & 3] as number);
}

export interface FrameOptions {
  /** Masked with a fresh random key (§5.3): frames a client sends, as the relay does to the cluster. */
  masked: boolean;
  /** The message's last frame (default true). */
  fin?: boolean;
}

/** Frames the relay sends to the agent (it is the server there). */
export const TO_AGENT: FrameOptions = Object.freeze({ masked: false });
/** Frames the relay sends to the cluster (it is the client there). */
export const TO_CLUSTER: FrameOptions = Object.freeze({ masked: true });

/** One whole frame. */
export function encodeFrame(opcode: number, payload: Buffer, { masked: mask, fin = true }: FrameOptions): Buffer {
  const length = payload.length;
  const lengthBytes = length < 126 ? 0 : length < 65536 ? 2 : 8;
  const header = Buffer.alloc(2 + lengthBytes + (mask ? 4 : 0));
  header[0] = (fin ? 0x80 : 0) | opcode;
  header[1] = (mask ? 0x80 : 0) | (lengthBytes === 0 ? length : lengthBytes === 2 ? 126 : 127);
  if (lengthBytes === 2) header.writeUInt16BE(length, 2);
  else if (lengthBytes === 8) header.writeBigUInt64BE(BigInt(length), 2);
  if (!mask) return Buffer.concat([header, payload]);
  const key = randomBytes(4);
  key.copy(header, 2 + lengthBytes);
  const body = Buffer.from(payload);
  unmask(body, key);
  return Buffer.concat([header, body]);
}

/** A close frame's payload: the code, then a short UTF-8 reason (§5.5.1, at most 123 bytes). */
export function closePayload(code: number, reason: string): Buffer {
  const text = Buffer.from(reason, 'utf8').subarray(0, 123);
  const out = Buffer.alloc(2 + text.length);
  out.writeUInt16BE(code, 0);
  text.copy(out, 2);
  return out;
}
