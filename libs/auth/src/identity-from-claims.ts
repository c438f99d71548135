import { createHash } from 'node:crypto';
import type { Identity } from '@chaperone/contracts';
import { AuthenticationError } from './errors';

/** Names of the token claims the identity is read from. */
export interface ClaimNames {
  username: string;
  groups: string;
  agent: string;
  session: string;
}

export const DEFAULT_CLAIMS: Readonly<ClaimNames> = Object.freeze({
  username: 'sub',
  groups: 'groups',
  agent: 'agent',
  session: 'sid',
});

/** Bounds on what a token may put into an identity (these end up in HTTP headers and audit logs). */
export const LIMITS = Object.freeze({
  nameLength: 512,
  groupCount: 256,
  sessionLength: 256,
});

// C0 and C1 control characters, DEL, and the Unicode line/paragraph separators.
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/;
// Names travel to the cluster in Impersonate-* headers, which carry Latin-1 at most; keep to
// printable characters of that range so a header write can never fail mid-request.
const HEADER_SAFE = /^[\x20-\x7e\xa0-\xff]*$/;
/**
 * The API server reserves the `system:` prefix for its own users and groups (system:masters is
 * cluster-admin). The gateway impersonates whatever identity it admits, so a token claiming one
 * would be a privilege escalation: such identities are refused outright.
 */
const RESERVED_PREFIX = 'system:';
// A session id travels in HTTP headers verbatim: visible ASCII only.
const SESSION_ID = /^[\x21-\x7e]+$/;

export interface ClaimsIdentity {
  identity: Identity;
  sessionId: string;
}

export interface IdentityOptions {
  claims: ClaimNames;
  usernamePrefix?: string;
}

function missing(claim: string): AuthenticationError {
  return new AuthenticationError('missing-claim', `token has no usable "${claim}" claim (a non-empty string is required)`);
}

function malformed(claim: string, why: string): AuthenticationError {
  return new AuthenticationError('malformed', `token claim "${claim}" ${why}`);
}

/** Check a name-like value; the claim name is only used for the error message. */
function checkName(claim: string, value: string, max = LIMITS.nameLength): string {
  if (value.length > max) throw malformed(claim, `is longer than ${max} characters`);
  if (CONTROL.test(value)) throw malformed(claim, 'contains control characters');
  if (value.trim() !== value) throw malformed(claim, 'has leading or trailing whitespace');
  if (!HEADER_SAFE.test(value)) throw malformed(claim, 'contains characters that cannot be sent in an HTTP header');
  return value;
}

function requiredString(payload: Record<string, unknown>, claim: string): string {
  const value = payload[claim];
  if (typeof value !== 'string' || value.length === 0) throw missing(claim);
  return checkName(claim, value);
}

function readGroups(payload: Record<string, unknown>, claim: string): string[] {
  const value = payload[claim];
  if (value === undefined || value === null) return [];
  const list: unknown[] = typeof value === 'string' ? [value] : Array.isArray(value) ? value : [];
  if (typeof value !== 'string' && !Array.isArray(value)) throw malformed(claim, 'must be a string or an array of strings');
  if (list.length > LIMITS.groupCount) throw malformed(claim, `has more than ${LIMITS.groupCount} entries`);
  const groups = new Set<string>();
  for (const g of list) {
    if (typeof g !== 'string' || g.length === 0) throw malformed(claim, 'must contain only non-empty strings');
    groups.add(checkName(claim, g));
  }
  return [...groups];
}

/**
 * The session id. The configured session claim (OIDC `sid` by default) when it is a string;
 * otherwise derived from the token itself: sha256 over (iss, sub, iat, jti), so one token is one
 * session, and re-presenting the same token always yields the same id.
 */
function readSession(payload: Record<string, unknown>, claim: string): string {
  const value = payload[claim];
  if (typeof value === 'string' && value.length > 0) {
    if (value.length > LIMITS.sessionLength) throw malformed(claim, `is longer than ${LIMITS.sessionLength} characters`);
    if (!SESSION_ID.test(value)) throw malformed(claim, 'must contain only visible ASCII characters');
    return value;
  }
  const seed = JSON.stringify([payload['iss'] ?? null, payload['sub'] ?? null, payload['iat'] ?? null, payload['jti'] ?? null]);
  return `tok-${createHash('sha256').update(seed).digest('hex').slice(0, 32)}`;
}

/** Build the identity from a verified claims set. Throws AuthenticationError ('missing-claim' | 'malformed'). */
export function identityFromClaims(payload: Record<string, unknown>, options: IdentityOptions): ClaimsIdentity {
  const { claims } = options;
  const subject = requiredString(payload, 'sub');
  const issuer = requiredString(payload, 'iss');
  const rawUsername = claims.username === 'sub' ? subject : requiredString(payload, claims.username);
  const username = checkName(claims.username, (options.usernamePrefix ?? '') + rawUsername);
  const groups = readGroups(payload, claims.groups);

  let agent = username;
  const rawAgent = payload[claims.agent];
  if (rawAgent !== undefined && rawAgent !== null && claims.agent !== claims.username) {
    if (typeof rawAgent !== 'string' || rawAgent.length === 0) throw malformed(claims.agent, 'must be a non-empty string');
    agent = checkName(claims.agent, rawAgent);
  }

  if (username.startsWith(RESERVED_PREFIX)) {
    throw new AuthenticationError('reserved-identity', `the user name from claim "${claims.username}" uses the reserved "system:" prefix`);
  }
  if (groups.some((g) => g.startsWith(RESERVED_PREFIX))) {
    throw new AuthenticationError('reserved-identity', `claim "${claims.groups}" names a reserved "system:" group`);
  }

  return {
    identity: { subject, username, groups, agent, issuer },
    sessionId: readSession(payload, claims.session),
  };
}
