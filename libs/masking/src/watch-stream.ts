import { MaskingFailed } from './constants';
import { maskInto } from './mask-object';
import { compileProfile, type CompiledProfile, type MaskingProfile } from './profile';
import { ReportBuilder, type MaskReport } from './report';

/** Default bound on one buffered watch event line (characters). Kubernetes objects stay far below it. */
export const DEFAULT_MAX_EVENT_LENGTH = 16 * 1024 * 1024;

export interface WatchStreamMaskerOptions {
  /** An event line longer than this cannot be masked: handled like a malformed line. Default 16 MiB. */
  maxEventLength?: number;
  /**
   * What to do with a line that is not JSON (or too long). Both fail closed — the line never passes:
   * - 'throw' (default): throw MaskingFailed; the masker is then unusable and the caller must cut the stream.
   * - 'error-event': emit a Kubernetes `ERROR` watch event (a Status) in its place and carry on.
   */
  onMalformed?: 'throw' | 'error-event';
}

/** The placeholder written instead of a malformed event in 'error-event' mode. */
export const MALFORMED_EVENT_PLACEHOLDER = JSON.stringify({
  type: 'ERROR',
  object: {
    kind: 'Status',
    apiVersion: 'v1',
    metadata: {},
    status: 'Failure',
    message: 'chaperone: a watch event that could not be parsed was withheld by masking',
    reason: 'InternalError',
    code: 500,
  },
});

/**
 * Incremental masker for Kubernetes watch streams: one JSON object per '\n'-terminated line. Each
 * complete line is parsed, masked with maskObject's rules and re-serialised; blank lines pass as is.
 * Report paths are `events[i].<path>` (i counts non-blank lines from 0).
 */
export class WatchStreamMasker {
  private readonly c: CompiledProfile;
  private readonly report_ = new ReportBuilder();
  private readonly max: number;
  private readonly onMalformed: 'throw' | 'error-event';
  private buf = '';
  private event = 0;
  private discarding = false;
  private failed = false;
  private ended = false;

  constructor(profile: MaskingProfile, options: WatchStreamMaskerOptions = {}) {
    this.c = compileProfile(profile);
    this.max = options.maxEventLength ?? DEFAULT_MAX_EVENT_LENGTH;
    if (!(this.max > 0)) throw new RangeError('maxEventLength must be positive');
    this.onMalformed = options.onMalformed ?? 'throw';
  }

  push(chunk: string): string {
    this.usable();
    let out = '';
    let start = 0;
    for (;;) {
      const nl = chunk.indexOf('\n', start);
      if (nl === -1) break;
      out += this.completeLine(chunk.slice(start, nl), true);
      start = nl + 1;
    }
    const rest = chunk.slice(start);
    if (this.discarding || rest === '') return out;
    this.buf += rest;
    if (this.buf.length > this.max) {
      this.buf = '';
      this.discarding = true; // drop the rest of this line; its placeholder is emitted now
      out += this.malformed('watch event exceeds the maximum length') + '\n';
    }
    return out;
  }

  /** Flush a last event without a trailing '\n'. A truncated (unparseable) one fails closed too. */
  end(): string {
    this.usable();
    this.ended = true;
    if (this.discarding) {
      this.discarding = false;
      return '';
    }
    if (this.buf === '') return '';
    return this.completeLine('', false);
  }

  report(): MaskReport {
    return this.report_.snapshot();
  }

  private usable(): void {
    if (this.failed) throw new MaskingFailed('watch stream masking already failed');
    if (this.ended) throw new Error('WatchStreamMasker: used after end');
  }

  private completeLine(piece: string, newline: boolean): string {
    if (this.discarding) {
      this.discarding = false;
      return '';
    }
    const line = this.buf + piece;
    this.buf = '';
    const nl = newline ? '\n' : '';
    if (line.trim() === '') return line + nl;
    if (line.length > this.max) return this.malformed('watch event exceeds the maximum length') + nl;
    let parsed: unknown;
    try {
      parsed = JSON.parse(line);
    } catch {
      // Never attach the SyntaxError: its message quotes the input.
      return this.malformed('watch event is not valid JSON') + nl;
    }
    const i = this.event++;
    try {
      return JSON.stringify(maskInto(parsed, this.c, this.report_, `events[${i}].`)) + nl;
    } catch (e) {
      this.failed = true;
      throw e;
    }
  }

  private malformed(reason: string): string {
    const i = this.event++;
    this.report_.hit('malformed-watch-event', `events[${i}]`);
    if (this.onMalformed === 'throw') {
      this.failed = true;
      throw new MaskingFailed(`${reason} (event ${i})`);
    }
    return MALFORMED_EVENT_PLACEHOLDER;
  }
}
