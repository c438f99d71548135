import { MASK } from './constants';
import { PEM_MARKER_MAX, TextEngine } from './detectors';
import { compileProfile, type MaskingProfile } from './profile';
import { ReportBuilder, type MaskReport } from './report';

/** Default bound on a buffered partial line (characters of the decoded stream). */
export const DEFAULT_MAX_LINE_LENGTH = 1024 * 1024;

export interface LineMaskerOptions {
  /**
   * A line longer than this is never scanned or released: it is replaced by a single MASK as soon as
   * it outgrows the bound, and the rest of it (up to the next '\n') is dropped. Default 1 MiB.
   */
  maxLineLength?: number;
}

/**
 * Incremental masker for plain text streams (pods/log, `logs -f`). Feed decoded text (use a streaming
 * TextDecoder for bytes); each push returns the masked complete lines so far. A partial line is held
 * until its '\n' arrives (or end()), so a secret split across chunks is still caught. The output is
 * exactly maskText() of the whole input, however the input is chunked.
 */
export class LineMasker {
  private readonly engine: TextEngine;
  private readonly report_ = new ReportBuilder();
  private readonly max: number;
  private buf = '';
  private line = 0; // number of lines completed so far
  private discarding = false;
  private tail = '';
  private ended = false;

  constructor(profile: MaskingProfile, options: LineMaskerOptions = {}) {
    this.engine = new TextEngine(compileProfile(profile));
    this.max = options.maxLineLength ?? DEFAULT_MAX_LINE_LENGTH;
    if (!(this.max > 0)) throw new RangeError('maxLineLength must be positive');
  }

  push(chunk: string): string {
    if (this.ended) throw new Error('LineMasker: push after end');
    let out = '';
    let start = 0;
    for (;;) {
      const nl = chunk.indexOf('\n', start);
      if (nl === -1) break;
      out += this.completeLine(chunk.slice(start, nl)) + '\n';
      start = nl + 1;
    }
    return out + this.partial(chunk.slice(start));
  }

  /** Flush the last line (one without a trailing '\n'). */
  end(): string {
    if (this.ended) return '';
    this.ended = true;
    if (this.discarding) {
      this.engine.trackPemState(this.tail);
      this.discarding = false;
      return '';
    }
    if (this.buf === '') return '';
    const out = this.completeLine('');
    return out;
  }

  report(): MaskReport {
    return this.report_.snapshot();
  }

  private completeLine(piece: string): string {
    this.line += 1;
    if (this.discarding) {
      this.engine.trackPemState(this.tail + piece);
      this.discarding = false;
      this.tail = '';
      return ''; // its MASK went out when it overflowed
    }
    const line = this.buf + piece;
    this.buf = '';
    if (line.length > this.max) {
      this.engine.trackPemState(line);
      this.report_.hit('oversized-line', `text:line ${this.line}`);
      return MASK;
    }
    const n = this.line;
    return this.engine.maskLine(line, (rule) => this.report_.hit(rule, `text:line ${n}`));
  }

  private partial(rest: string): string {
    if (rest === '') return '';
    if (this.discarding) {
      const seen = this.tail + rest;
      this.engine.trackPemState(seen);
      this.tail = seen.slice(-PEM_MARKER_MAX);
      return '';
    }
    this.buf += rest;
    if (this.buf.length <= this.max) return '';
    this.discarding = true;
    this.engine.trackPemState(this.buf);
    this.tail = this.buf.slice(-PEM_MARKER_MAX);
    this.buf = '';
    this.report_.hit('oversized-line', `text:line ${this.line + 1}`);
    return MASK;
  }
}

/** Mask a whole text (report paths are `text:line N`, 1-based). Lines are not length-bounded here. */
export function maskText(text: string, profile: MaskingProfile): { text: string; report: MaskReport } {
  const m = new LineMasker(profile, { maxLineLength: Number.POSITIVE_INFINITY });
  const out = m.push(text) + m.end();
  return { text: out, report: m.report() };
}
