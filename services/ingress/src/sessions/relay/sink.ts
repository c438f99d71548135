import type { Duplex } from 'node:stream';

/**
 * One side's socket as the relay writes to it: `write` resolves once the socket can take more
 * (or is gone), so whoever awaits it reads no faster than this side drains: back-pressure.
 */
export class Sink {
  constructor(readonly socket: Duplex) {}

  get open(): boolean {
    return !this.socket.destroyed && this.socket.writable;
  }

  write(bytes: Buffer): Promise<void> {
    if (!this.open || bytes.length === 0) return Promise.resolve();
    if (this.socket.write(bytes)) return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => {
        this.socket.off('drain', done);
        this.socket.off('close', done);
        resolve();
      };
      this.socket.once('drain', done);
      this.socket.once('close', done);
    });
  }

  /** No more bytes from the relay (a half-close, as the peer did). */
  end(): void {
    if (this.open) this.socket.end();
  }
}
