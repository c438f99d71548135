import WebSocket from 'ws';
import { OutputStream } from '../runtime/process';
import { ChannelProtocol, STREAM_CLOSE_CHANNEL } from './protocols';

/**
 * One multiplexed WebSocket of the channel protocols: incoming messages are split by their
 * channel byte, outgoing writes are framed the same way. Writes resolve while less than
 * HIGH_WATER bytes wait in the socket, so a producer paces itself to the client.
 */
const HIGH_WATER = 1024 * 1024;

type Listener = (data: Buffer) => void;

export class ChannelConnection {
  private readonly dataListeners = new Map<number, Listener>();
  private readonly closeListeners = new Map<number, () => void>();
  private readonly endListeners: (() => void)[] = [];
  private queued = 0;
  private waiters: (() => void)[] = [];
  private ended = false;

  constructor(
    private readonly ws: WebSocket,
    readonly protocol: ChannelProtocol,
  ) {
    ws.on('message', (data: Buffer, isBinary: boolean) => this.receive(data, isBinary));
    ws.on('close', () => this.end());
    ws.on('error', () => this.end());
  }

  get open(): boolean {
    return !this.ended && this.ws.readyState === WebSocket.OPEN;
  }

  onData(channel: number, fn: Listener): void {
    this.dataListeners.set(channel, fn);
  }

  /** v5 only: the client half-closed `channel` (it sends nothing more on it). */
  onStreamClose(channel: number, fn: () => void): void {
    this.closeListeners.set(channel, fn);
  }

  /** The connection is gone (closed by either side, or broken). */
  onEnd(fn: () => void): void {
    if (this.ended) fn();
    else this.endListeners.push(fn);
  }

  write(channel: number, data: Buffer | string): Promise<void> {
    if (!this.open) return Promise.resolve();
    const payload = typeof data === 'string' ? Buffer.from(data) : data;
    const frame = this.protocol.binary ? Buffer.concat([Buffer.of(channel), payload]) : String.fromCharCode(48 + channel) + payload.toString('base64');
    const size = frame.length;
    this.queued += size;
    this.ws.send(frame, { binary: this.protocol.binary }, () => {
      this.queued -= size;
      if (this.queued < HIGH_WATER) this.wake();
    });
    if (this.queued < HIGH_WATER) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  output(channel: number): OutputStream {
    return { write: (d) => this.write(channel, d) };
  }

  /** Ends the session the way the server does: a normal close, after everything queued is sent. */
  close(): void {
    if (this.ws.readyState === WebSocket.OPEN) this.ws.close(1000);
  }

  private receive(data: Buffer, isBinary: boolean): void {
    if (data.length === 0) return;
    let channel: number;
    let payload: Buffer;
    if (this.protocol.binary) {
      if (!isBinary) return;
      channel = data[0] ?? 0;
      payload = data.subarray(1);
    } else {
      channel = (data[0] ?? 48) - 48;
      payload = Buffer.from(data.subarray(1).toString('latin1'), 'base64');
    }
    if (channel === STREAM_CLOSE_CHANNEL && this.protocol.streamClose) {
      this.closeListeners.get(payload[0] ?? -1)?.();
      return;
    }
    this.dataListeners.get(channel)?.(payload);
  }

  private end(): void {
    if (this.ended) return;
    this.ended = true;
    this.wake();
    for (const fn of this.endListeners.splice(0)) fn();
  }

  private wake(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const w of waiters) w();
  }
}
