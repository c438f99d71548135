import type { MaskReport } from '@chaperone/contracts';
import type { MaskingStream } from '../../context/request-context';
import { utf8Boundary } from './utf8-boundary';

const NL = 0x0a;

export interface MaskedOutputOptions {
  /** A partial line waits this long for its end before it is masked and sent as it is (prompts). */
  flushMs: number;
  /** A partial line this long is masked and sent at once. */
  maxPartialBytes: number;
  /** An idle masking stream is kept alive this often (the masking service drops quiet ones). */
  keepAliveMs: number;
}

/**
 * One output stream of a session (stdout or stderr) masked line by line by the masking service
 * (`lines` mode) before the agent gets it. Complete lines go at once; a partial line is held until
 * its newline, `flushMs`, or `maxPartialBytes`, then masked as a line of its own (so a prompt shows).
 * A secret written in two pieces more than `flushMs` apart is masked piece by piece, which the
 * detectors may not recognise: the documented price of showing prompts. Calls are serialised, so
 * the agent gets the output in order; a masking failure rejects (the session is then cut).
 */
export class MaskedOutput {
  private partial: Buffer = Buffer.alloc(0);
  private chain: Promise<void> = Promise.resolve();
  private flushTimer: NodeJS.Timeout | undefined;
  private readonly keepAlive: NodeJS.Timeout;
  private failed: unknown;
  private ended = false;

  constructor(
    private readonly stream: MaskingStream,
    private readonly emit: (masked: Buffer) => Promise<void>,
    private readonly opts: MaskedOutputOptions,
  ) {
    this.keepAlive = setInterval(() => void this.run(() => this.stream.keepAlive()), opts.keepAliveMs);
    this.keepAlive.unref();
  }

  push(data: Buffer): Promise<void> {
    return this.run(async () => {
      const bytes = this.partial.length > 0 ? Buffer.concat([this.partial, data]) : data;
      const cut = bytes.lastIndexOf(NL) + 1;
      this.partial = bytes.subarray(cut);
      if (cut > 0) await this.send(bytes.subarray(0, cut), 'lines');
      if (this.partial.length >= this.opts.maxPartialBytes) await this.releasePartial();
      else this.armFlush();
    });
  }

  /** Send the partial line now (before a status message, the close, or when its delay is up). */
  flush(): Promise<void> {
    return this.run(() => this.releasePartial());
  }

  /** Flush, end the masking stream, and resolve to what it masked. */
  async end(): Promise<MaskReport | undefined> {
    clearInterval(this.keepAlive);
    clearTimeout(this.flushTimer);
    if (this.ended) return this.stream.report;
    this.ended = true;
    await this.run(async () => {
      await this.releasePartial();
      const rest = await this.stream.end();
      if (rest.length > 0) await this.emit(rest);
    });
    return this.stream.report;
  }

  /** Stop without waiting for the masking service (the session was cut). */
  abandon(): void {
    clearInterval(this.keepAlive);
    clearTimeout(this.flushTimer);
    this.ended = true;
  }

  private run(step: () => Promise<void>): Promise<void> {
    const next = this.chain.then(() => {
      if (this.failed) throw this.failed;
      return step();
    });
    this.chain = next.catch((e: unknown) => {
      this.failed ??= e;
    });
    return next;
  }

  private armFlush(): void {
    if (this.flushTimer || this.partial.length === 0) return;
    this.flushTimer = setTimeout(() => {
      this.flushTimer = undefined;
      // A failure here surfaces on the next push or flush, which the relay awaits.
      this.flush().catch(() => undefined);
    }, this.opts.flushMs);
  }

  private async releasePartial(): Promise<void> {
    clearTimeout(this.flushTimer);
    this.flushTimer = undefined;
    if (this.partial.length === 0) return;
    // Never cut a character in two: its last bytes wait for the rest.
    const cut = utf8Boundary(this.partial);
    const line = this.partial.subarray(0, cut);
    this.partial = this.partial.subarray(cut);
    if (line.length > 0) await this.send(line, 'partial-line');
  }

  /** Mask `bytes`: complete lines, or one partial line (sent as a line, returned without its newline). */
  private async send(bytes: Buffer, what: 'lines' | 'partial-line'): Promise<void> {
    const asLine = what === 'partial-line';
    const masked = await this.stream.data(asLine ? Buffer.concat([bytes, Buffer.of(NL)]) : bytes);
    const out = asLine && masked[masked.length - 1] === NL ? masked.subarray(0, masked.length - 1) : masked;
    if (out.length > 0) await this.emit(out);
  }
}
