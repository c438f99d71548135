/**
 * Reading NATS and JetStream errors, shared by every JetStream adapter: what is an outage (retry
 * later, fail closed meanwhile) and which server error code a refusal carries.
 */

/** NatsError codes that mean "the bus is not there or did not answer": retryable. */
const UNAVAILABLE_CODES = new Set([
  'TIMEOUT',
  '503', // no responders: JetStream not enabled, or the stream does not exist (direct get)
  'CONNECTION_CLOSED',
  'CONNECTION_DRAINING',
  'CONNECTION_REFUSED',
  'CONNECTION_TIMEOUT',
  'DISCONNECT',
  'REQUEST_ERROR',
  '408',
]);

/** JetStream API error codes (nats-server) Chaperone reacts to. */
export const JsErrCodes = Object.freeze({
  wrongLastSequence: 10071,
  noMessageFound: 10037,
  streamNotFound: 10059,
  consumerNotFound: 10014,
  deleteNotPermitted: 10057,
  maximumMessagesExceeded: 10077,
  purgeNotPermitted: 10110,
  rollupNotPermitted: 10111,
});

/** The JetStream API error code of a refusal, if it is one. */
export function jsErrCode(err: unknown): number | undefined {
  return (err as { api_error?: { err_code?: number } } | undefined)?.api_error?.err_code;
}

/** The NatsError code (e.g. "TIMEOUT", "503"), if any. */
export function natsCode(err: unknown): string | undefined {
  const code = (err as { code?: unknown } | undefined)?.code;
  return typeof code === 'string' ? code : undefined;
}

/** True when the error means NATS/JetStream is down or did not answer. */
export function isBusUnavailable(err: unknown): boolean {
  const code = natsCode(err);
  return code !== undefined && UNAVAILABLE_CODES.has(code);
}
