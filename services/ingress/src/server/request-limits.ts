import type { IncomingMessage } from 'node:http';
import { kubeStatus, type KubeStatus } from '@chaperone/k8s-status';

/** How long a connection whose request body was not read may keep sending before it is closed. */
const LINGER_MS = 2000;

/** What Node's parser buffers at most per request head; beyond it the connection gets a 431 Status. */
export const PARSER_MAX_HEADER_BYTES = 1024 * 1024;

export interface RequestLimits {
  maxUrlBytes: number;
  maxHeaderBytes: number;
  maxRequestBodyBytes: number;
}

/**
 * The Status for a request over the configured limits, checked before anything else reads it:
 * 414 for the URI, 431 for the headers, 413 for a declared body (no byte of it is read).
 */
export function requestLimitStatus(req: IncomingMessage, limits: RequestLimits): KubeStatus | undefined {
  const url = req.url ?? '';
  if (url.length > limits.maxUrlBytes) {
    return kubeStatus('RequestURITooLong', `the request URI (${url.length} bytes) is longer than the gateway accepts (${limits.maxUrlBytes} bytes)`);
  }
  let headerBytes = 0;
  for (const h of req.rawHeaders) headerBytes += h.length + 2;
  if (headerBytes > limits.maxHeaderBytes) {
    return kubeStatus('RequestHeaderFieldsTooLarge', `the request headers (${headerBytes} bytes) are larger than the gateway accepts (${limits.maxHeaderBytes} bytes)`);
  }
  const declared = Number(req.headers['content-length'] ?? NaN);
  if (declared > limits.maxRequestBodyBytes) {
    return kubeStatus('RequestEntityTooLarge', `the request body (${declared} bytes) is larger than the gateway accepts (${limits.maxRequestBodyBytes} bytes); nothing was sent`);
  }
  return undefined;
}

/**
 * After an answer sent before the request body was read (a refusal), the rest of the body is never
 * buffered: what the agent is still sending is discarded for a short while, so it can finish
 * writing and read the Status; a body still arriving after that has its connection closed.
 */
export function closeAfterResponse(req: IncomingMessage): void {
  if (req.complete || req.socket.destroyed) return;
  const socket = req.socket;
  const timer = setTimeout(() => socket.destroy(), LINGER_MS);
  timer.unref();
  req.once('end', () => clearTimeout(timer));
  req.resume();
}
