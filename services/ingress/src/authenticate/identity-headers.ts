import type { GatewayError } from '../errors/gateway-errors';

/**
 * Headers that carry an identity the cluster (or a front proxy in front of it) would believe.
 * Chaperone alone says who the agent is, through impersonation of the verified token's subject, so
 * a client that sends any of these is refused rather than silently rewritten.
 */
export const CLIENT_IDENTITY_HEADER_PREFIXES = Object.freeze(['impersonate-', 'x-remote-']);

/**
 * Why a request's headers make its identity ambiguous, or undefined. Reads the raw header list:
 * Node keeps only the first of several `Authorization` headers, which would hide the conflict.
 */
export function identityHeaderProblem(rawHeaders: readonly string[]): GatewayError | undefined {
  let authorizations = 0;
  for (let i = 0; i < rawHeaders.length; i += 2) {
    const name = (rawHeaders[i] ?? '').toLowerCase();
    if (name === 'authorization') authorizations++;
    else if (name.startsWith('impersonate-')) {
      return { kind: 'identity-refused', message: `the ${name} header is not allowed: chaperone impersonates the authenticated agent itself (kubectl --as cannot be used through it)` };
    } else if (name.startsWith('x-remote-')) {
      return { kind: 'bad-request', message: `the ${name} header is not allowed: front-proxy identity headers are set by the gateway only` };
    }
  }
  if (authorizations > 1) return { kind: 'bad-request', message: `${authorizations} Authorization headers were sent; send exactly one bearer token` };
  return undefined;
}
