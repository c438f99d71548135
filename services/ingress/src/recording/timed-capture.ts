import { BodyHasher, sha256Digest } from '@chaperone/blob-store';
import type { CapturedBody } from './body-capture';

/**
 * A stream (watch, `logs -f`) as the agent received it, kept as timed chunks so a replay shows
 * when each event or line arrived: one JSON line `[millisecondsFromStart, "text"]` per chunk, up to
 * `capBytes` of lines (then the recording is marked truncated; the digest still covers every byte).
 */
export class TimedCapture {
  private readonly whole = new BodyHasher();
  private readonly lines: Buffer[] = [];
  private kept = 0;
  private truncated = false;

  constructor(
    private readonly capBytes: number,
    private readonly startedAt: number,
    private readonly now: () => number,
  ) {}

  update(chunk: Buffer): void {
    this.whole.update(chunk);
    if (this.truncated) return;
    const line = Buffer.from(`${JSON.stringify([Math.round(this.now() - this.startedAt), chunk.toString('utf8')])}\n`);
    if (this.kept + line.length > this.capBytes) {
      this.truncated = true;
      return;
    }
    this.lines.push(line);
    this.kept += line.length;
  }

  finish(): CapturedBody {
    const ref = this.whole.result();
    const kept = Buffer.concat(this.lines);
    return { recorded: { digest: ref.digest, size: ref.size, stored: { digest: sha256Digest(kept), size: kept.length, truncated: this.truncated, timed: true } }, kept };
  }
}
