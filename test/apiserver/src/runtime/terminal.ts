import { StringDecoder } from 'node:string_decoder';
import { InputReader } from './byte-queue';
import { OutputStream, TerminalControl, TerminalSize } from './process';

/**
 * The pseudo-terminal of an `exec -t` session, doing what the kernel's line discipline does in
 * canonical mode: kubectl puts the local terminal in raw mode and sends keystrokes as typed, so
 * echo, line editing, Enter (\r), Ctrl-C and Ctrl-D happen here, on the "container" side.
 * Programs read cooked lines from it; their output gets \n -> \r\n (onlcr).
 */
const CTRL_C = '\x03';
const CTRL_D = '\x04';
const CTRL_U = '\x15';
const ESC = '\x1b';

export class Terminal implements InputReader, TerminalControl {
  lastSize: TerminalSize | undefined;
  private readonly decoder = new StringDecoder('utf8');
  private line = '';
  /** Cooked input: lines ready to read; null is an end-of-file (Ctrl-D at the start of a line). */
  private readonly ready: (string | null)[] = [];
  private waiter: ((v: string | null) => void) | undefined;
  private closed = false;
  private inEscape = false;
  private readonly interruptListeners = new Set<() => void>();

  constructor(private readonly screen: OutputStream) {}

  /** Raw bytes the client typed. */
  input(chunk: Buffer): void {
    for (const ch of this.decoder.write(chunk)) this.key(ch);
  }

  /** The client closed stdin: every read from now on ends. */
  close(): void {
    this.closed = true;
    this.deliver(null);
  }

  onInterrupt(fn: () => void): () => void {
    this.interruptListeners.add(fn);
    return () => this.interruptListeners.delete(fn);
  }

  size(): TerminalSize | undefined {
    return this.lastSize;
  }

  read(signal?: AbortSignal): Promise<Buffer | null> {
    const next = this.ready.shift();
    if (next !== undefined) return Promise.resolve(next === null ? null : Buffer.from(next));
    if (this.closed || signal?.aborted) return Promise.resolve(null);
    return new Promise((resolve) => {
      const onAbort = () => {
        this.waiter = undefined;
        resolve(null);
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.waiter = (v) => {
        signal?.removeEventListener('abort', onAbort);
        resolve(v === null ? null : Buffer.from(v));
      };
    });
  }

  /** Output as a terminal shows it: every \n becomes \r\n. */
  output(out: OutputStream): OutputStream {
    return { write: (d) => out.write(onlcr(typeof d === 'string' ? Buffer.from(d) : d)) };
  }

  private echo(s: string): void {
    void this.screen.write(s);
  }

  private key(ch: string): void {
    if (this.inEscape) {
      // ESC [ parameters final-byte: arrow keys and the like, which this terminal ignores.
      if (ch !== '[' && ch >= '@' && ch <= '~') this.inEscape = false;
      return;
    }
    switch (ch) {
      case ESC:
        this.inEscape = true;
        return;
      case CTRL_C:
        this.line = '';
        this.echo('^C\r\n');
        for (const fn of [...this.interruptListeners]) fn();
        return;
      case CTRL_D:
        if (this.line.length === 0) this.deliver(null);
        else {
          this.deliver(this.line);
          this.line = '';
        }
        return;
      case CTRL_U:
        this.echo('\b \b'.repeat([...this.line].length));
        this.line = '';
        return;
      case '\r':
      case '\n':
        this.echo('\r\n');
        this.deliver(`${this.line}\n`);
        this.line = '';
        return;
      case '\x7f':
      case '\b': {
        const chars = [...this.line];
        if (chars.length === 0) return;
        chars.pop();
        this.line = chars.join('');
        this.echo('\b \b');
        return;
      }
      default:
        if (ch < ' ' && ch !== '\t') return;
        this.line += ch;
        this.echo(ch);
    }
  }

  private deliver(v: string | null): void {
    if (this.waiter) {
      const w = this.waiter;
      this.waiter = undefined;
      w(v);
    } else if (v !== null || !this.closed) this.ready.push(v);
  }
}

const CRLF = Buffer.from('\r\n');

function onlcr(buf: Buffer): Buffer {
  if (!buf.includes(0x0a)) return buf;
  const parts: Buffer[] = [];
  let start = 0;
  for (let nl = buf.indexOf(0x0a); nl >= 0; nl = buf.indexOf(0x0a, start)) {
    parts.push(buf.subarray(start, nl), CRLF);
    start = nl + 1;
  }
  parts.push(buf.subarray(start));
  return Buffer.concat(parts);
}
