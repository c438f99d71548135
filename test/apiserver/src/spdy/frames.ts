/**
 * SPDY/3.1 framing (the subset a port-forward server needs). A control frame is
 * [1|version:15][type:16][flags:8][length:24] then its fields; a data frame is
 * [0|stream-id:31][flags:8][length:24] then its bytes.
 */
export const FLAG_FIN = 0x01;

export const FrameType = Object.freeze({
  SYN_STREAM: 1,
  SYN_REPLY: 2,
  RST_STREAM: 3,
  SETTINGS: 4,
  PING: 6,
  GOAWAY: 7,
  HEADERS: 8,
  WINDOW_UPDATE: 9,
});

export const RstStatus = Object.freeze({ PROTOCOL_ERROR: 1, INVALID_STREAM: 2, REFUSED_STREAM: 3, CANCEL: 5, INTERNAL_ERROR: 6 });

export type Frame =
  | { kind: 'data'; streamId: number; fin: boolean; data: Buffer }
  /** SYN_STREAM, SYN_REPLY and HEADERS: a stream id and a compressed header block. */
  | { kind: 'headers'; type: number; streamId: number; fin: boolean; block: Buffer }
  | { kind: 'rst'; streamId: number; status: number }
  | { kind: 'ping'; id: number }
  | { kind: 'goaway'; lastGoodStreamId: number; status: number }
  /** SETTINGS, WINDOW_UPDATE and anything newer: read and ignored. */
  | { kind: 'other'; type: number };

const VERSION = 3;
const HEADER_LENGTH = 8;

/** Reassembles frames from a byte stream cut anywhere (a tunnel delivers a frame over several messages). */
export class FrameReader {
  private pending: Buffer = Buffer.alloc(0);

  push(chunk: Buffer): Frame[] {
    this.pending = this.pending.length === 0 ? chunk : Buffer.concat([this.pending, chunk]);
    const frames: Frame[] = [];
    while (this.pending.length >= HEADER_LENGTH) {
      const length = this.pending.readUIntBE(5, 3);
      if (this.pending.length < HEADER_LENGTH + length) break;
      frames.push(decode(this.pending.subarray(0, HEADER_LENGTH + length)));
      this.pending = this.pending.subarray(HEADER_LENGTH + length);
    }
    return frames;
  }
}

export class SpdyProtocolError extends Error {}

function decode(buf: Buffer): Frame {
  const flags = buf.readUInt8(4);
  const body = buf.subarray(HEADER_LENGTH);
  if ((buf.readUInt8(0) & 0x80) === 0) {
    return { kind: 'data', streamId: buf.readUInt32BE(0) & 0x7fffffff, fin: (flags & FLAG_FIN) !== 0, data: body };
  }
  const version = buf.readUInt16BE(0) & 0x7fff;
  if (version !== VERSION) throw new SpdyProtocolError(`unsupported SPDY version ${version}`);
  const type = buf.readUInt16BE(2);
  const need = (n: number) => {
    if (body.length < n) throw new SpdyProtocolError(`control frame ${type} too short`);
  };
  switch (type) {
    case FrameType.SYN_STREAM:
      need(10);
      return { kind: 'headers', type, streamId: body.readUInt32BE(0) & 0x7fffffff, fin: (flags & FLAG_FIN) !== 0, block: body.subarray(10) };
    case FrameType.SYN_REPLY:
    case FrameType.HEADERS:
      need(4);
      return { kind: 'headers', type, streamId: body.readUInt32BE(0) & 0x7fffffff, fin: (flags & FLAG_FIN) !== 0, block: body.subarray(4) };
    case FrameType.RST_STREAM:
      need(8);
      return { kind: 'rst', streamId: body.readUInt32BE(0) & 0x7fffffff, status: body.readUInt32BE(4) };
    case FrameType.PING:
      need(4);
      return { kind: 'ping', id: body.readUInt32BE(0) };
    case FrameType.GOAWAY:
      need(8);
      return { kind: 'goaway', lastGoodStreamId: body.readUInt32BE(0) & 0x7fffffff, status: body.readUInt32BE(4) };
    default:
      return { kind: 'other', type };
  }
}

function controlFrame(type: number, flags: number, body: Buffer): Buffer {
  const head = Buffer.alloc(HEADER_LENGTH);
  head.writeUInt16BE(0x8000 | VERSION, 0);
  head.writeUInt16BE(type, 2);
  head.writeUInt8(flags, 4);
  head.writeUIntBE(body.length, 5, 3);
  return Buffer.concat([head, body]);
}

export function encodeData(streamId: number, data: Buffer, fin = false): Buffer {
  const head = Buffer.alloc(HEADER_LENGTH);
  head.writeUInt32BE(streamId & 0x7fffffff, 0);
  head.writeUInt8(fin ? FLAG_FIN : 0, 4);
  head.writeUIntBE(data.length, 5, 3);
  return Buffer.concat([head, data]);
}

export function encodeSynReply(streamId: number, block: Buffer, fin = false): Buffer {
  const id = Buffer.alloc(4);
  id.writeUInt32BE(streamId & 0x7fffffff);
  return controlFrame(FrameType.SYN_REPLY, fin ? FLAG_FIN : 0, Buffer.concat([id, block]));
}

export function encodeRstStream(streamId: number, status: number): Buffer {
  const body = Buffer.alloc(8);
  body.writeUInt32BE(streamId & 0x7fffffff, 0);
  body.writeUInt32BE(status, 4);
  return controlFrame(FrameType.RST_STREAM, 0, body);
}

export function encodePing(id: number): Buffer {
  const body = Buffer.alloc(4);
  body.writeUInt32BE(id >>> 0);
  return controlFrame(FrameType.PING, 0, body);
}

export function encodeGoAway(lastGoodStreamId: number, status = 0): Buffer {
  const body = Buffer.alloc(8);
  body.writeUInt32BE(lastGoodStreamId & 0x7fffffff, 0);
  body.writeUInt32BE(status, 4);
  return controlFrame(FrameType.GOAWAY, 0, body);
}
