import type { ServerResponse } from 'node:http';

/**
 * A metav1.Status, the only error shape kubectl and client-go understand: kubectl prints
 * `Error from server (<reason>): <message>` from it.
 */
export interface KubeStatus {
  kind: 'Status';
  apiVersion: 'v1';
  metadata: Record<string, never>;
  status: 'Failure' | 'Success';
  message: string;
  reason: StatusReason;
  code: number;
  details?: { name?: string; group?: string; kind?: string; causes?: { reason?: string; message: string; field?: string }[]; retryAfterSeconds?: number };
}

/** metav1.StatusReason values Chaperone emits, with the HTTP code the API server pairs them with. */
export const StatusReasons = Object.freeze({
  BadRequest: 400,
  Unauthorized: 401,
  Forbidden: 403,
  NotFound: 404,
  MethodNotAllowed: 405,
  Conflict: 409,
  /** 408: the request did not arrive in time. */
  RequestTimeout: 408,
  RequestEntityTooLarge: 413,
  /** 414 and 431 have no metav1 reason of their own; clients read the code. */
  RequestURITooLong: 414,
  RequestHeaderFieldsTooLarge: 431,
  TooManyRequests: 429,
  InternalError: 500,
  ServiceUnavailable: 503,
  Timeout: 504,
} as const);
export type StatusReason = keyof typeof StatusReasons;

export function kubeStatus(reason: StatusReason, message: string, details?: KubeStatus['details']): KubeStatus {
  return {
    kind: 'Status',
    apiVersion: 'v1',
    metadata: {},
    status: 'Failure',
    message,
    reason,
    code: StatusReasons[reason],
    ...(details ? { details } : {}),
  };
}

/** Write a Status as the response; extra headers (e.g. Retry-After) are added as given. */
export function writeStatus(res: ServerResponse, status: KubeStatus, headers: Record<string, string> = {}): void {
  if (res.headersSent) {
    // Too late for a clean error: cut the stream so the client sees a failure, not a short answer.
    res.destroy();
    return;
  }
  const body = JSON.stringify(status);
  res.writeHead(status.code, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(body),
    'cache-control': 'no-store',
    ...headers,
  });
  res.end(body);
}

/** Serialise a Status as a raw HTTP/1.1 response, for upgrade requests that own a bare socket. */
export function statusAsRawResponse(status: KubeStatus, headers: Record<string, string> = {}): string {
  const body = JSON.stringify(status);
  const lines = [
    `HTTP/1.1 ${status.code} ${status.reason}`,
    'Content-Type: application/json',
    `Content-Length: ${Buffer.byteLength(body)}`,
    'Connection: close',
    ...Object.entries(headers).map(([k, v]) => `${k}: ${v}`),
  ];
  return `${lines.join('\r\n')}\r\n\r\n${body}`;
}
