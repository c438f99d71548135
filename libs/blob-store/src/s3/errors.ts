import { BlobCorrupt, BlobDeleteRefused, BlobStoreUnavailable, InvalidArgument } from '../port';

/** Socket-level failures: the endpoint is down, unreachable or cut the connection. */
const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'EHOSTDOWN',
  'ENETUNREACH',
  'ENETDOWN',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EPIPE',
]);

/** S3 error names (codes) that mean "not now": overload, a timeout, a server fault. */
const UNAVAILABLE_NAMES = new Set(['TimeoutError', 'RequestTimeout', 'SlowDown', 'ServiceUnavailable', 'InternalError', 'ThrottlingException', 'AbortError']);

interface SdkErrorShape {
  name?: unknown;
  code?: unknown;
  message?: unknown;
  $metadata?: { httpStatusCode?: number };
}

/** The HTTP status of an S3 error response, if the error is one. */
export function s3Status(err: unknown): number | undefined {
  return (err as SdkErrorShape | undefined)?.$metadata?.httpStatusCode;
}

/** The S3 error code (the SDK's error name: NoSuchKey, AccessDenied, NotFound for a HEAD 404...). */
export function s3ErrorName(err: unknown): string | undefined {
  const name = (err as SdkErrorShape | undefined)?.name;
  return typeof name === 'string' ? name : undefined;
}

/** A missing key (GET: NoSuchKey; HEAD, which has no body: a bare 404 NotFound). */
export function isMissingKey(err: unknown): boolean {
  const name = s3ErrorName(err);
  return name === 'NoSuchKey' || (name === 'NotFound' && s3Status(err) === 404);
}

/**
 * The SDK wraps a thrown value that is not an `instanceof Error` of its own realm (Node's socket
 * errors seen from a vm context, e.g. under a test runner) into "AWS SDK error wrapper for Error:
 * connect ECONNREFUSED ...", dropping `code`: the code then survives only in the message.
 */
const NETWORK_CODE_IN_MESSAGE = new RegExp(`\\b(${[...NETWORK_CODES].join('|')})\\b`);

export function isS3Unavailable(err: unknown): boolean {
  const e = err as SdkErrorShape | undefined;
  if (typeof e?.code === 'string' && NETWORK_CODES.has(e.code)) return true;
  if (s3Status(err) === undefined && typeof e?.message === 'string' && NETWORK_CODE_IN_MESSAGE.test(e.message)) return true;
  const name = s3ErrorName(err);
  if (name !== undefined && UNAVAILABLE_NAMES.has(name)) return true;
  const status = s3Status(err);
  return status !== undefined && status >= 500;
}

/**
 * What went wrong, for a message: code, HTTP status and the server's text. Built from those three
 * only, never from the error object as a whole: the request, its signature and the access key id
 * stay out of messages and logs.
 */
export function describeS3Error(err: unknown): string {
  const e = err as SdkErrorShape | undefined;
  const name = s3ErrorName(err) ?? 'Error';
  const code = typeof e?.code === 'string' && e.code !== name ? ` ${e.code}` : '';
  const status = s3Status(err);
  const message = typeof e?.message === 'string' && e.message !== '' && e.message !== name ? `: ${e.message.slice(0, 300)}` : '';
  return `${name}${code}${status !== undefined ? ` (HTTP ${status})` : ''}${message}`;
}

/** Rethrow: outages, timeouts and a missing bucket become BlobStoreUnavailable; the port's own errors pass; anything else becomes an Error naming the operation. */
export function mapS3Error(err: unknown, what: string, bucket: string): never {
  if (err instanceof BlobStoreUnavailable || err instanceof InvalidArgument || err instanceof BlobCorrupt || err instanceof BlobDeleteRefused) throw err;
  if (s3ErrorName(err) === 'NoSuchBucket') throw new BlobStoreUnavailable(`S3 bucket ${bucket} does not exist (during ${what})`);
  if (isS3Unavailable(err)) throw new BlobStoreUnavailable(`S3 unavailable during ${what}: ${describeS3Error(err)}`);
  throw new Error(`S3 ${what} failed: ${describeS3Error(err)}`);
}
