/** What the status channel said about the command: an exit code, or a failure without one. */
export interface ExitStatus {
  exitCode?: number;
  failure?: string;
}

/**
 * Reads the metav1.Status the cluster sends on the status channel (v4, v5): `Success` is exit code
 * 0; `NonZeroExitCode` carries the code in an `ExitCode` cause; any other failure has only its
 * message (e.g. an executable the container does not have).
 */
export function exitStatusOf(payload: Buffer): ExitStatus {
  let status: unknown;
  try {
    status = JSON.parse(payload.toString('utf8'));
  } catch {
    return { failure: payload.toString('utf8').slice(0, 500) };
  }
  if (typeof status !== 'object' || status === null) return { failure: 'unreadable status' };
  const s = status as { status?: unknown; reason?: unknown; message?: unknown; details?: { causes?: { reason?: unknown; message?: unknown }[] } };
  if (s.status === 'Success') return { exitCode: 0 };
  const cause = s.details?.causes?.find((c) => c.reason === 'ExitCode');
  const code = Number(cause?.message);
  if (s.reason === 'NonZeroExitCode' && Number.isInteger(code)) return { exitCode: code };
  return { failure: typeof s.message === 'string' ? s.message.slice(0, 500) : 'failure without a message' };
}

/** A Status for the status channel: the agent's kubectl prints its message when the gateway ends the session. */
export function endStatus(message: string): Buffer {
  return Buffer.from(JSON.stringify({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason: 'Timeout', code: 500 }), 'utf8');
}

/** A resize message's `{"Width":…,"Height":…}`, or undefined when it is not one. */
export function terminalSizeOf(payload: Buffer): { width: number; height: number } | undefined {
  try {
    const v = JSON.parse(payload.toString('utf8')) as { Width?: unknown; Height?: unknown };
    const width = Number(v.Width);
    const height = Number(v.Height);
    if (Number.isInteger(width) && Number.isInteger(height) && width > 0 && height > 0 && width < 10000 && height < 10000) return { width, height };
  } catch {
    // not a size
  }
  return undefined;
}
