import { StringDecoder } from 'node:string_decoder';
import { LineMasker, mergeReports, type MaskingProfile, type MaskReport } from '@chaperone/masking';

/** The terminal size a recording states when the agent never sent one. */
export const DEFAULT_TERMINAL = Object.freeze({ width: 80, height: 24 });

type EventCode = 'o' | 'i' | 'r' | 'm';

/** One text stream of the recording, masked by the detectors line by line before it is kept. */
class MaskedTrack {
  private readonly decoder = new StringDecoder('utf8');
  private readonly masker: LineMasker;

  /** `keystrokes`: the agent's input, whose Enter keys (CR) end lines as newlines do. */
  private readonly crToLf: boolean;

  constructor(profile: MaskingProfile, kind: 'output' | 'keystrokes') {
    this.masker = new LineMasker(profile);
    this.crToLf = kind === 'keystrokes';
  }

  push(bytes: Buffer): string {
    const text = this.decoder.write(bytes);
    return this.masker.push(this.crToLf ? text.replace(/\r\n?/g, '\n') : text);
  }

  end(): string {
    const text = this.decoder.end();
    return this.masker.push(this.crToLf ? text.replace(/\r\n?/g, '\n') : text) + this.masker.end();
  }

  report(): MaskReport {
    return this.masker.report();
  }
}

/**
 * The events of an asciicast v2 recording, masked in this process by the detectors whatever the
 * agent was sent (an unmasked terminal session too), so no stored recording holds a raw secret.
 * Text is kept line by line: a line is recorded, masked, when it ends (a prompt with the command
 * typed after it shows up at Enter). Input (`i`) is kept the same way, its Enter keys as newlines.
 * Past `capBytes` of events the rest is dropped and a marker says so. Time is injected.
 */
export class CastRecorder {
  private readonly events: string[] = [];
  private size = 0;
  private truncated = false;
  private readonly stdout: MaskedTrack;
  private readonly stderr: MaskedTrack;
  private readonly stdin: MaskedTrack;
  firstSize: { width: number; height: number } | undefined;

  constructor(
    profile: MaskingProfile,
    private readonly opts: { capBytes: number; now: () => number },
  ) {
    this.stdout = new MaskedTrack(profile, 'output');
    this.stderr = new MaskedTrack(profile, 'output');
    this.stdin = new MaskedTrack(profile, 'keystrokes');
  }

  output(stream: 'stdout' | 'stderr', bytes: Buffer): void {
    if (this.truncated) return;
    this.add('o', (stream === 'stdout' ? this.stdout : this.stderr).push(bytes));
  }

  input(bytes: Buffer): void {
    if (this.truncated) return;
    this.add('i', this.stdin.push(bytes));
  }

  resize(width: number, height: number): void {
    this.firstSize ??= { width, height };
    this.add('r', `${width}x${height}`);
  }

  /** The events as asciicast lines (each ends with a newline), and what the detectors masked. */
  finish(): { events: string; truncated: boolean; report: MaskReport } {
    if (!this.truncated) {
      this.add('o', this.stdout.end());
      this.add('o', this.stderr.end());
      this.add('i', this.stdin.end());
    }
    return { events: this.events.join(''), truncated: this.truncated, report: mergeReports(this.stdout.report(), this.stderr.report(), this.stdin.report()) };
  }

  private add(code: EventCode, data: string): void {
    if (data === '' || this.truncated) return;
    const line = `${JSON.stringify([Math.round(this.opts.now()) / 1000, code, data])}\n`;
    if (this.size + line.length > this.opts.capBytes) {
      this.truncated = true;
      this.events.push(`${JSON.stringify([Math.round(this.opts.now()) / 1000, 'm', `chaperone: recording truncated at ${this.size} bytes`])}\n`);
      return;
    }
    this.events.push(line);
    this.size += line.length;
  }
}
