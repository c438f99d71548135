import { StringDecoder } from 'node:string_decoder';

/**
 * The remote-command channel protocol (v5.channel.k8s.io) as an exec without stdin or a terminal
 * reads it: every binary message starts with its channel byte; stdout and stderr carry output, the
 * error channel carries one metav1.Status once the command has ended.
 */
export const ExecChannels = Object.freeze({ stdout: 1, stderr: 2, error: 3 });

export const EXEC_PROTOCOL = 'v5.channel.k8s.io';

/** How the command ended, as the error channel said it. */
export type ExitReport = { kind: 'exited'; code: number } | { kind: 'failed'; message: string };

/**
 * Reads the error channel's Status: `Success` is exit code 0, `NonZeroExitCode` names the code in
 * its `ExitCode` cause; anything else is a failure the command could not report a code for (an
 * executable the container lacks, a session the gateway ended), described by its message.
 */
export function exitReportOf(payload: Buffer): ExitReport {
  let status: { status?: unknown; reason?: unknown; message?: unknown; details?: { causes?: unknown } } | undefined;
  try {
    const parsed = JSON.parse(payload.toString('utf8')) as unknown;
    if (parsed && typeof parsed === 'object') status = parsed as typeof status;
  } catch {
    // described below
  }
  if (!status) return { kind: 'failed', message: payload.toString('utf8').slice(0, 500) || 'an unreadable status' };
  if (status.status === 'Success') return { kind: 'exited', code: 0 };
  if (status.reason === 'NonZeroExitCode' && Array.isArray(status.details?.causes)) {
    for (const cause of status.details.causes as { reason?: unknown; message?: unknown }[]) {
      const code = Number(cause?.message);
      if (cause?.reason === 'ExitCode' && Number.isInteger(code)) return { kind: 'exited', code };
    }
  }
  return { kind: 'failed', message: typeof status.message === 'string' && status.message ? status.message.slice(0, 500) : 'the command failed without a message' };
}

/** One output stream as kept: the text of its first bytes, and how many bytes it had in all. */
export interface StreamText {
  text: string;
  bytes: number;
  /** Bytes that came but were not kept (the budget was spent). */
  dropped: number;
}

/**
 * Collects stdout and stderr under one byte budget shared by both (what the agent reads is one
 * result): bytes past it are counted, not kept, so the command still runs to its end and reports
 * its exit code. Text is decoded at the end, never splitting a UTF-8 character.
 */
export class ExecOutput {
  private readonly kept = new Map<number, Buffer[]>();
  private readonly seen = new Map<number, number>();
  private remaining: number;

  constructor(budgetBytes: number) {
    this.remaining = budgetBytes;
  }

  add(channel: number, chunk: Buffer): void {
    this.seen.set(channel, (this.seen.get(channel) ?? 0) + chunk.length);
    const take = Math.min(chunk.length, this.remaining);
    if (take === 0) return;
    this.remaining -= take;
    const parts = this.kept.get(channel) ?? [];
    parts.push(chunk.subarray(0, take));
    this.kept.set(channel, parts);
  }

  stream(channel: number): StreamText {
    const kept = Buffer.concat(this.kept.get(channel) ?? []);
    const bytes = this.seen.get(channel) ?? 0;
    // StringDecoder.write holds back a trailing partial character instead of making it U+FFFD.
    return { text: new StringDecoder('utf8').write(kept), bytes, dropped: bytes - kept.length };
  }
}
