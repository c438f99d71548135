import { StoreUnavailable } from '../port';

/** NatsError codes that mean "the bus is not there or did not answer": retryable. */
const UNAVAILABLE_CODES = new Set([
  'TIMEOUT',
  '503', // no responders / JetStream not enabled
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
  noMessageFound: 10037,
  streamNotFound: 10059,
  deleteNotPermitted: 10057,
  purgeNotPermitted: 10110,
  rollupNotPermitted: 10111,
});

export function jsErrCode(err: unknown): number | undefined {
  return (err as { api_error?: { err_code?: number } } | undefined)?.api_error?.err_code;
}

export function isUnavailable(err: unknown): boolean {
  const code = (err as { code?: unknown } | undefined)?.code;
  return typeof code === 'string' && UNAVAILABLE_CODES.has(code);
}

/** Rethrow: outages/timeouts become StoreUnavailable, everything else as is. */
export function mapNatsError(err: unknown, what: string): never {
  if (err instanceof StoreUnavailable) throw err;
  if (isUnavailable(err)) {
    throw new StoreUnavailable(`NATS JetStream unavailable during ${what}: ${(err as Error).message}`, { cause: err });
  }
  throw err;
}
