import { encodeData, encodeGoAway, encodePing, encodeRstStream, encodeSynReply, Frame, FrameReader, FrameType, RstStatus } from './frames';
import { HeaderBlockDecoder, HeaderBlockEncoder, Headers } from './header-block';

/**
 * The server side of a SPDY/3.1 connection as spdystream (client-go's SPDY) speaks it: the client
 * opens streams (SYN_STREAM), the server accepts each with a SYN_REPLY or refuses it with
 * RST_STREAM; either side half-closes with a FIN; PINGs from the client are echoed. spdystream
 * does no flow control, so WINDOW_UPDATE and SETTINGS are read and ignored.
 */
export interface ByteTransport {
  /** Resolves when the transport has room for more. */
  write(data: Buffer): Promise<void>;
  onData(fn: (chunk: Buffer) => void): void;
  onEnd(fn: () => void): void;
  close(): void;
}

export interface StreamHandler {
  /** Why a new stream's headers are unacceptable, or undefined to accept it. */
  refuse(headers: Headers): string | undefined;
  /** A stream was accepted (its SYN_REPLY is already queued). */
  opened(stream: SpdyStream): void;
}

const MAX_DATA_FRAME = 32 * 1024;

export class SpdyStream {
  private dataListener: ((chunk: Buffer) => void) | undefined;
  private endListener: (() => void) | undefined;
  private remoteEnded = false;
  private localEnded = false;
  reset = false;

  constructor(
    readonly id: number,
    readonly headers: Headers,
    private readonly session: SpdySession,
  ) {}

  onData(fn: (chunk: Buffer) => void): void {
    this.dataListener = fn;
  }

  /** The client sent FIN (it writes nothing more) or reset the stream. */
  onEnd(fn: () => void): void {
    if (this.remoteEnded) fn();
    else this.endListener = fn;
  }

  async write(data: Buffer): Promise<void> {
    for (let off = 0; off < data.length && !this.localEnded && !this.reset; off += MAX_DATA_FRAME) {
      await this.session.send(encodeData(this.id, data.subarray(off, off + MAX_DATA_FRAME)));
    }
  }

  /** Half-closes our side (an empty DATA frame with FIN). */
  end(): void {
    if (this.localEnded || this.reset) return;
    this.localEnded = true;
    void this.session.send(encodeData(this.id, Buffer.alloc(0), true));
  }

  /** Called by the session. */
  receive(chunk: Buffer, fin: boolean): void {
    if (chunk.length > 0) this.dataListener?.(chunk);
    if (fin) this.remoteEnd();
  }

  remoteEnd(): void {
    if (this.remoteEnded) return;
    this.remoteEnded = true;
    this.endListener?.();
  }
}

export class SpdySession {
  private readonly reader = new FrameReader();
  private readonly decoder = new HeaderBlockDecoder();
  private readonly encoder = new HeaderBlockEncoder();
  private readonly streams = new Map<number, SpdyStream>();
  private lastStreamId = 0;
  private chain: Promise<void> = Promise.resolve();
  private closed = false;
  private readonly closeListeners: (() => void)[] = [];

  constructor(
    private readonly transport: ByteTransport,
    private readonly handler: StreamHandler,
  ) {
    transport.onData((chunk) => this.receive(chunk));
    transport.onEnd(() => this.shutdown());
  }

  onClose(fn: () => void): void {
    if (this.closed) fn();
    else this.closeListeners.push(fn);
  }

  send(frame: Buffer): Promise<void> {
    return this.closed ? Promise.resolve() : this.transport.write(frame);
  }

  /** Sends GOAWAY and closes the transport. */
  close(): void {
    if (this.closed) return;
    void this.transport.write(encodeGoAway(this.lastStreamId));
    this.transport.close();
    this.shutdown();
  }

  private receive(chunk: Buffer): void {
    let frames: Frame[];
    try {
      frames = this.reader.push(chunk);
    } catch {
      this.close();
      return;
    }
    for (const frame of frames) this.chain = this.chain.then(() => this.handle(frame)).catch(() => this.close());
  }

  private async handle(frame: Frame): Promise<void> {
    if (this.closed) return;
    switch (frame.kind) {
      case 'headers': {
        // Every block is inflated, in order: they share one zlib stream.
        const headers = await this.decoder.decode(frame.block);
        if (frame.type === FrameType.SYN_STREAM) this.open(frame.streamId, headers, frame.fin);
        else if (frame.fin) this.streams.get(frame.streamId)?.remoteEnd();
        return;
      }
      case 'data':
        this.streams.get(frame.streamId)?.receive(frame.data, frame.fin);
        return;
      case 'rst': {
        const stream = this.streams.get(frame.streamId);
        if (!stream) return;
        stream.reset = true;
        this.streams.delete(frame.streamId);
        stream.remoteEnd();
        return;
      }
      case 'ping':
        // Client pings are odd; the server's own would be even, and it sends none.
        if (frame.id % 2 === 1) await this.send(encodePing(frame.id));
        return;
      case 'goaway':
        this.close();
        return;
      case 'other':
        return;
    }
  }

  private open(id: number, headers: Headers, fin: boolean): void {
    if (id % 2 === 0 || id <= this.lastStreamId) {
      void this.send(encodeRstStream(id, RstStatus.PROTOCOL_ERROR));
      return;
    }
    this.lastStreamId = id;
    if (this.handler.refuse(headers) !== undefined) {
      void this.send(encodeRstStream(id, RstStatus.REFUSED_STREAM));
      return;
    }
    const stream = new SpdyStream(id, headers, this);
    this.streams.set(id, stream);
    // The reply goes out before the handler may write: a client drops data on an unanswered stream.
    void this.send(encodeSynReply(id, this.encoder.encode([])));
    this.handler.opened(stream);
    if (fin) stream.remoteEnd();
  }

  private shutdown(): void {
    if (this.closed) return;
    this.closed = true;
    this.decoder.close();
    for (const stream of this.streams.values()) {
      stream.reset = true;
      stream.remoteEnd();
    }
    this.streams.clear();
    for (const fn of this.closeListeners.splice(0)) fn();
  }
}
