import { decodeProtectedHeader, errors, jwtVerify, type JWTPayload, type JWTVerifyOptions, type JWTVerifyResult } from 'jose';
import type { Identity } from '@chaperone/contracts';
import { AuthConfigError, AuthenticationError, quoteUntrusted } from './errors';
import { DEFAULT_CLAIMS, identityFromClaims, type ClaimNames } from './identity-from-claims';
import { createJwksSource, KeysUnavailableError, type JwksConfig, type KeyResolver } from './jwks-source';
import { DEFAULT_TOKEN_CACHE_SIZE, TokenCache, tokenKey } from './token-cache';

export interface AuthConfig {
  /** Expected `iss`, compared exactly. */
  issuer: string;
  /** The token's `aud` must contain at least one of these. */
  audiences: string[];
  /** Explicit allow-list of asymmetric JWS algorithms, e.g. ['RS256', 'ES256', 'EdDSA']. */
  algorithms: string[];
  /** Clock skew allowed for exp / nbf / iat, in seconds. */
  clockToleranceSec: number;
  jwks: JwksConfig;
  /** Claim names; any omitted name takes its default (sub, groups, agent, sid). */
  claims?: Partial<ClaimNames>;
  /** Prepended to the username claim, like kube-apiserver --oidc-username-prefix. */
  usernamePrefix?: string;
  /** Minimum time between JWKS refetches triggered by an unknown kid (default 30000). */
  cooldownMs?: number;
  /** Maximum age of the cached JWKS (default 10 minutes). */
  cacheMaxAgeMs?: number;
}

export interface Authenticated {
  identity: Identity;
  sessionId: string;
  /** The token's `exp`, in ms since the epoch. */
  expiresAt: number;
}

export interface Authenticator {
  /** Verify an Authorization header value. Rejects with AuthenticationError only. */
  authenticate(authorizationHeader: string | undefined): Promise<Authenticated>;
  /** Drop cached state; later calls to authenticate reject. */
  close(): void;
}

export interface AuthenticatorDeps {
  now?: () => number;
  fetch?: typeof fetch;
}

export const DEFAULT_COOLDOWN_MS = 30_000;
export const DEFAULT_CACHE_MAX_AGE_MS = 10 * 60_000;
/** Longer Authorization headers are refused without parsing. */
export const MAX_TOKEN_LENGTH = 16 * 1024;

const ASYMMETRIC_ALGORITHMS: ReadonlySet<string> = new Set([
  'RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'EdDSA', 'Ed25519',
  'ML-DSA-44', 'ML-DSA-65', 'ML-DSA-87',
]);

// Scheme is case-insensitive (RFC 9110 §11.1); exactly one space; three base64url segments. The
// signature may be empty so that `alg: none` tokens reach the algorithm check and are named as such.
const BEARER = /^bearer ([A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*)$/i;

interface ResolvedConfig {
  issuer: string;
  audiences: string[];
  algorithms: string[];
  clockToleranceSec: number;
  claims: ClaimNames;
  usernamePrefix: string;
  cooldownMs: number;
  cacheMaxAgeMs: number;
}

function nonNegative(value: number | undefined, fallback: number, name: string): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) throw new AuthConfigError(`${name} must be a non-negative number`);
  return value;
}

function resolveConfig(config: AuthConfig): ResolvedConfig {
  if (typeof config.issuer !== 'string' || config.issuer.length === 0) throw new AuthConfigError('issuer is required');
  if (!Array.isArray(config.audiences) || config.audiences.length === 0 || config.audiences.some((a) => typeof a !== 'string' || a === '')) {
    throw new AuthConfigError('audiences must be a non-empty list of non-empty strings');
  }
  if (!Array.isArray(config.algorithms) || config.algorithms.length === 0) throw new AuthConfigError('algorithms must be a non-empty allow-list');
  for (const alg of config.algorithms) {
    if (typeof alg === 'string' && alg.toLowerCase() === 'none') throw new AuthConfigError('algorithm "none" is never allowed');
    if (typeof alg === 'string' && /^HS\d+$/i.test(alg)) {
      throw new AuthConfigError(`algorithm ${alg} is symmetric and cannot be verified against a public JWKS`);
    }
    if (typeof alg !== 'string' || !ASYMMETRIC_ALGORITHMS.has(alg)) {
      throw new AuthConfigError(`unsupported algorithm ${JSON.stringify(alg)} (supported: ${[...ASYMMETRIC_ALGORITHMS].join(', ')})`);
    }
  }
  const claims: ClaimNames = { ...DEFAULT_CLAIMS };
  for (const [name, value] of Object.entries(config.claims ?? {})) {
    if (value === undefined) continue;
    if (!(name in DEFAULT_CLAIMS)) throw new AuthConfigError(`unknown claims.${name}`);
    if (typeof value !== 'string' || value === '') throw new AuthConfigError(`claims.${name} must be a non-empty claim name`);
    claims[name as keyof ClaimNames] = value;
  }
  if (config.usernamePrefix !== undefined && typeof config.usernamePrefix !== 'string') throw new AuthConfigError('usernamePrefix must be a string');
  return {
    issuer: config.issuer,
    audiences: [...config.audiences],
    algorithms: [...new Set(config.algorithms)],
    clockToleranceSec: nonNegative(config.clockToleranceSec, 0, 'clockToleranceSec'),
    claims,
    usernamePrefix: config.usernamePrefix ?? '',
    cooldownMs: nonNegative(config.cooldownMs, DEFAULT_COOLDOWN_MS, 'cooldownMs'),
    cacheMaxAgeMs: nonNegative(config.cacheMaxAgeMs, DEFAULT_CACHE_MAX_AGE_MS, 'cacheMaxAgeMs'),
  };
}

/** Extract the token from `Bearer <token>`. */
export function parseAuthorizationHeader(header: string | undefined): string {
  if (header === undefined || header === '') throw new AuthenticationError('missing', 'no bearer token was presented');
  if (typeof header !== 'string' || header.length > MAX_TOKEN_LENGTH + 7) {
    throw new AuthenticationError('malformed', 'authorization header is not a usable bearer token');
  }
  const match = BEARER.exec(header);
  if (!match?.[1]) {
    throw new AuthenticationError('malformed', 'authorization header must be "Bearer <JWT>"');
  }
  return match[1];
}

function headerParam(token: string, name: 'kid' | 'alg'): string {
  try {
    return quoteUntrusted(decodeProtectedHeader(token)[name]);
  } catch {
    return 'unreadable';
  }
}

/** Translate a verification failure into an AuthenticationError whose message never echoes the token. */
function toAuthenticationError(err: unknown, token: string, cfg: ResolvedConfig): AuthenticationError {
  if (err instanceof AuthenticationError) return err;
  if (err instanceof KeysUnavailableError) return new AuthenticationError('keys-unavailable', err.message);
  if (err instanceof errors.JWTExpired) return new AuthenticationError('expired', 'token has expired');
  if (err instanceof errors.JWTClaimValidationFailed) {
    if (err.reason === 'missing') return new AuthenticationError('missing-claim', `token is missing the required "${quoteUntrusted(err.claim)}" claim`);
    if (err.reason === 'check_failed') {
      switch (err.claim) {
        case 'iss':
          return new AuthenticationError('wrong-issuer', `token issuer is not the expected issuer (${cfg.issuer})`);
        case 'aud':
          return new AuthenticationError('wrong-audience', `token audience is not one of the accepted audiences (${cfg.audiences.join(', ')})`);
        case 'nbf':
          return new AuthenticationError('not-yet-valid', 'token is not valid yet (nbf is in the future)');
      }
    }
    return new AuthenticationError('malformed', `token claim "${quoteUntrusted(err.claim)}" is invalid`);
  }
  if (err instanceof errors.JWKSNoMatchingKey) {
    return new AuthenticationError('unknown-key', `token was signed by an unknown key (kid ${headerParam(token, 'kid')})`);
  }
  if (err instanceof errors.JOSEAlgNotAllowed || err instanceof errors.JOSENotSupported) {
    return new AuthenticationError(
      'algorithm-not-allowed',
      `token algorithm ${headerParam(token, 'alg')} is not allowed (allowed: ${cfg.algorithms.join(', ')})`,
    );
  }
  if (err instanceof errors.JWSSignatureVerificationFailed || err instanceof errors.JWKSMultipleMatchingKeys) {
    return new AuthenticationError('bad-signature', 'token signature is invalid');
  }
  if (err instanceof errors.JWSInvalid || err instanceof errors.JWTInvalid) {
    return new AuthenticationError('malformed', 'token is not a well-formed signed JWT');
  }
  // Anything else (e.g. an RSA key under 2048 bits) means the token could not be verified.
  return new AuthenticationError('bad-signature', 'token could not be verified');
}

async function verifyToken(token: string, keys: KeyResolver, options: JWTVerifyOptions): Promise<JWTVerifyResult> {
  try {
    return await jwtVerify(token, keys, options);
  } catch (err) {
    // jose v6 no longer tries every candidate when a kid-less token matches several keys: do it here.
    if (!(err instanceof errors.JWKSMultipleMatchingKeys)) throw err;
    for await (const key of err) {
      try {
        return await jwtVerify(token, key, options);
      } catch (inner) {
        if (!(inner instanceof errors.JWSSignatureVerificationFailed)) throw inner;
      }
    }
    throw new errors.JWSSignatureVerificationFailed();
  }
}

/**
 * Verifies OIDC JWT bearer tokens. Successful results are cached (bounded LRU keyed by the token's
 * sha256) until the token's own `exp`; failures are not cached. A cached token is accepted until its
 * `exp` even if its signing key leaves the JWKS meanwhile: JWTs are not revocable, keep them short-lived.
 */
export function createAuthenticator(config: AuthConfig, deps: AuthenticatorDeps = {}): Authenticator {
  const cfg = resolveConfig(config);
  const now = deps.now ?? Date.now;
  const keys = createJwksSource({
    issuer: cfg.issuer,
    jwks: config.jwks,
    cooldownMs: cfg.cooldownMs,
    cacheMaxAgeMs: cfg.cacheMaxAgeMs,
    ...(deps.fetch ? { fetch: deps.fetch } : {}),
  });
  const cache = new TokenCache<Authenticated>(now, DEFAULT_TOKEN_CACHE_SIZE);
  const inflight = new Map<string, Promise<Authenticated>>();
  let closed = false;

  async function verify(token: string): Promise<Authenticated> {
    let payload: JWTPayload;
    try {
      ({ payload } = await verifyToken(token, keys, {
        issuer: cfg.issuer,
        audience: cfg.audiences,
        algorithms: cfg.algorithms,
        clockTolerance: cfg.clockToleranceSec,
        currentDate: new Date(now()),
        requiredClaims: ['exp', 'sub'],
      }));
    } catch (err) {
      throw toAuthenticationError(err, token, cfg);
    }
    // jose checks iat only together with maxTokenAge; a token issued in the future is not valid yet.
    if (typeof payload.iat === 'number' && payload.iat > now() / 1000 + cfg.clockToleranceSec) {
      throw new AuthenticationError('not-yet-valid', 'token is not valid yet (iat is in the future)');
    }
    const { identity, sessionId } = identityFromClaims(payload, { claims: cfg.claims, usernamePrefix: cfg.usernamePrefix });
    // Results are shared between callers through the cache: freeze them so none can alter another's.
    Object.freeze(identity.groups);
    return Object.freeze({ identity: Object.freeze(identity), sessionId, expiresAt: (payload.exp as number) * 1000 });
  }

  return {
    async authenticate(authorizationHeader) {
      if (closed) throw new Error('authenticator is closed');
      const token = parseAuthorizationHeader(authorizationHeader);
      const key = tokenKey(token);
      const hit = cache.get(key);
      if (hit) return hit;
      let pending = inflight.get(key);
      if (!pending) {
        pending = verify(token).finally(() => inflight.delete(key));
        inflight.set(key, pending);
      }
      const result = await pending;
      if (!closed) cache.set(key, result, result.expiresAt);
      return result;
    },
    close() {
      closed = true;
      cache.clear();
      inflight.clear();
    },
  };
}
