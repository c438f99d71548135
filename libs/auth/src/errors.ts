/** Why a bearer token was refused. Stable strings: used in audit events and metrics labels. */
export type AuthFailureReason =
  | 'missing'
  | 'malformed'
  | 'expired'
  | 'not-yet-valid'
  | 'wrong-issuer'
  | 'wrong-audience'
  | 'unknown-key'
  | 'bad-signature'
  | 'algorithm-not-allowed'
  | 'missing-claim'
  | 'reserved-identity'
  | 'keys-unavailable';

/**
 * A refused authentication. `message` is human readable and safe to log or return to the client:
 * it never contains the token, nor claim values taken from it (only claim names, configured values
 * such as the expected issuer, and a sanitised `kid`). No `cause` is attached on purpose: jose's
 * claim errors carry the whole decoded payload.
 */
export class AuthenticationError extends Error {
  readonly reason: AuthFailureReason;

  constructor(reason: AuthFailureReason, message: string) {
    super(message);
    this.name = 'AuthenticationError';
    this.reason = reason;
  }
}

/** Thrown by createAuthenticator for an unusable configuration (never at request time). */
export class AuthConfigError extends Error {
  constructor(message: string) {
    super(`invalid auth configuration: ${message}`);
    this.name = 'AuthConfigError';
  }
}

/** Make an untrusted short string (e.g. a `kid`) safe to quote in a message. */
export function quoteUntrusted(value: unknown, max = 64): string {
  if (typeof value !== 'string') return typeof value === 'undefined' ? 'none' : 'non-string';
  const printable = value.replace(/[^\x20-\x7e]/g, '?');
  return printable.length > max ? `${printable.slice(0, max)}…` : printable;
}
