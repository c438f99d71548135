/**
 * A process's standard input: bytes arrive from the client as they come, a program awaits them.
 * `read()` resolves with the next chunk, or null once the client closed stdin (the v5 close
 * signal, or the connection going away) and everything before it was read.
 */
export interface InputReader {
  /** An aborted signal ends a pending read with null and leaves unread input for the next reader. */
  read(signal?: AbortSignal): Promise<Buffer | null>;
}

export class ByteQueue implements InputReader {
  private readonly chunks: Buffer[] = [];
  private ended = false;
  private waiter: ((chunk: Buffer | null) => void) | undefined;

  push(chunk: Buffer): void {
    if (this.ended || chunk.length === 0) return;
    if (this.waiter) {
      const w = this.waiter;
      this.waiter = undefined;
      w(chunk);
    } else this.chunks.push(chunk);
  }

  end(): void {
    if (this.ended) return;
    this.ended = true;
    if (this.waiter) {
      const w = this.waiter;
      this.waiter = undefined;
      w(null);
    }
  }

  read(signal?: AbortSignal): Promise<Buffer | null> {
    const next = this.chunks.shift();
    if (next) return Promise.resolve(next);
    if (this.ended || signal?.aborted) return Promise.resolve(null);
    return new Promise((resolve) => {
      const onAbort = () => {
        this.waiter = undefined;
        resolve(null);
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.waiter = (chunk) => {
        signal?.removeEventListener('abort', onAbort);
        resolve(chunk);
      };
    });
  }
}

/** Stdin that was not requested: reads end at once, as a process with /dev/null for stdin sees. */
export const NO_INPUT: InputReader = { read: () => Promise.resolve(null) };

/** Splits an input into lines ("\n" kept off); the last unterminated line is returned at EOF. */
export class LineReader {
  private buffered = '';
  private done = false;

  constructor(private readonly input: InputReader) {}

  async readLine(signal?: AbortSignal): Promise<string | null> {
    for (;;) {
      const nl = this.buffered.indexOf('\n');
      if (nl >= 0) {
        const line = this.buffered.slice(0, nl);
        this.buffered = this.buffered.slice(nl + 1);
        return line;
      }
      if (this.done) {
        if (this.buffered.length === 0) return null;
        const rest = this.buffered;
        this.buffered = '';
        return rest;
      }
      const chunk = await this.input.read(signal);
      if (chunk === null && signal?.aborted) return null;
      if (chunk === null) this.done = true;
      else this.buffered += chunk.toString('utf8');
    }
  }
}
