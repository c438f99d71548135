import { BlobStoreUnavailable } from '../port';

/** NatsError codes that mean "the bus is not there or did not answer": retryable. */
const UNAVAILABLE_CODES = new Set([
  'TIMEOUT',
  '503', // no responders: JetStream not enabled, or the bucket's stream does not exist (direct get)
  'CONNECTION_CLOSED',
  'CONNECTION_DRAINING',
  'CONNECTION_REFUSED',
  'CONNECTION_TIMEOUT',
  'DISCONNECT',
  'REQUEST_ERROR',
  '408',
]);

/** JetStream API error codes (nats-server) this adapter reacts to. */
export const JsErrCodes = Object.freeze({
  wrongLastSequence: 10071,
  streamNotFound: 10059,
  deleteNotPermitted: 10057,
  purgeNotPermitted: 10110,
  rollupNotPermitted: 10111,
});

export function jsErrCode(err: unknown): number | undefined {
  return (err as { api_error?: { err_code?: number } } | undefined)?.api_error?.err_code;
}

export function natsCode(err: unknown): string | undefined {
  const code = (err as { code?: unknown } | undefined)?.code;
  return typeof code === 'string' ? code : undefined;
}

export function isUnavailable(err: unknown): boolean {
  const code = natsCode(err);
  return code !== undefined && UNAVAILABLE_CODES.has(code);
}

/** Rethrow: outages/timeouts become BlobStoreUnavailable, everything else as is. */
export function mapNatsError(err: unknown, what: string): never {
  if (err instanceof BlobStoreUnavailable) throw err;
  if (isUnavailable(err)) {
    throw new BlobStoreUnavailable(`NATS JetStream unavailable during ${what}: ${(err as Error).message}`, { cause: err });
  }
  throw err;
}
