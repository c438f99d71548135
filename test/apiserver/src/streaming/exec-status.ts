/**
 * What the error channel carries when a remote command ends. The real messages differ by path:
 * v5 sessions pass through the API server's stream translator, which re-wraps what the kubelet
 * said; older protocols get the kubelet's (containerd's) words directly. kubectl prints
 * "command terminated with exit code N" and exits N either way.
 */
export type CommandOutcome =
  | { exitCode: number }
  /** The container runtime could not start the command (e.g. no such executable). */
  | { runtimeError: string }
  /** The API server's translator failed before the command ran. */
  | { translatorError: string };

/** metav1.Status as Go marshals it on the error channel: no kind/apiVersion, empty fields left out. */
export interface ChannelStatus {
  metadata: Record<string, never>;
  status: 'Success' | 'Failure';
  message?: string;
  reason?: string;
  details?: { causes: { reason?: string; message: string }[] };
  code?: number;
}

function internalError(message: string, cause: string): ChannelStatus {
  return { metadata: {}, status: 'Failure', message: `Internal error occurred: ${message}`, reason: 'InternalError', details: { causes: [{ message: cause }] }, code: 500 };
}

export function commandStatus(outcome: CommandOutcome, argv: string[], translated: boolean): ChannelStatus {
  if ('translatorError' in outcome) return internalError(outcome.translatorError, outcome.translatorError);
  if ('runtimeError' in outcome) {
    const kubelet = internalError(`error executing command in container: ${outcome.runtimeError}`, `error executing command in container: ${outcome.runtimeError}`);
    // The translator's SPDY client turns the kubelet's Status into an error and wraps it again.
    return translated ? internalError(kubelet.message ?? '', kubelet.message ?? '') : kubelet;
  }
  const code = outcome.exitCode;
  if (code === 0) return { metadata: {}, status: 'Success' };
  const inner = translated ? `command terminated with exit code ${code}` : `error executing command [${argv.join(' ')}], exit code ${code}`;
  return {
    metadata: {},
    status: 'Failure',
    message: `command terminated with non-zero exit code: ${inner}`,
    reason: 'NonZeroExitCode',
    details: { causes: [{ reason: 'ExitCode', message: String(code) }] },
  };
}

/** The error channel's bytes: the Status JSON (v4, v5), or only a failure's text (channel.k8s.io). */
export function encodeStatus(status: ChannelStatus, json: boolean): string | undefined {
  if (json) return JSON.stringify(status);
  return status.status === 'Success' ? undefined : (status.message ?? 'error');
}
