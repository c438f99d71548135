import { ByteQueue, InputReader } from './byte-queue';
import { OutputStream } from './process';

/**
 * `a | b` between two fake programs: a bounded in-memory pipe. The writer waits while 64 KiB are
 * unread; once the reader has exited, writes are dropped (the shell then stops the writer, as
 * SIGPIPE would).
 */
const CAPACITY = 64 * 1024;

export class Pipe {
  private readonly queue = new ByteQueue();
  private unread = 0;
  private readerGone = false;
  private waiters: (() => void)[] = [];
  private readonly onGone: (() => void)[] = [];

  readonly writer: OutputStream = {
    write: async (data) => {
      if (this.readerGone) return;
      const chunk = typeof data === 'string' ? Buffer.from(data) : data;
      this.unread += chunk.length;
      this.queue.push(chunk);
      if (this.unread > CAPACITY) await new Promise<void>((resolve) => this.waiters.push(resolve));
    },
  };

  readonly reader: InputReader = {
    read: async (signal) => {
      const chunk = await this.queue.read(signal);
      if (chunk) {
        this.unread -= chunk.length;
        if (this.unread <= CAPACITY) this.wake();
      }
      return chunk;
    },
  };

  /** The writer exited: the reader sees end of file after what is buffered. */
  endWriter(): void {
    this.queue.end();
  }

  /** The reader exited: pending and later writes return at once. */
  closeReader(): void {
    if (this.readerGone) return;
    this.readerGone = true;
    this.wake();
    for (const fn of this.onGone) fn();
  }

  /** Called once when the reader exits, so the shell can stop the writer. */
  onReaderGone(fn: () => void): void {
    this.onGone.push(fn);
  }

  private wake(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const w of waiters) w();
  }
}
