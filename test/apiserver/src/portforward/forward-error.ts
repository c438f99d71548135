import { KubeObject } from '../types';

/** The kubelet's words when a forwarded connection fails, sent on the port's error stream. */
export function forwardError(pod: KubeObject, port: number, cause: unknown): string {
  const reason = cause instanceof Error ? cause.message : String(cause);
  return `error forwarding port ${port} to pod ${pod.metadata.name ?? ''}_${pod.metadata.namespace ?? ''}, uid ${pod.metadata.uid ?? ''}: ${reason}`;
}
