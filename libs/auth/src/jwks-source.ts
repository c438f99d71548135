import { readFileSync } from 'node:fs';
import {
  createLocalJWKSet,
  createRemoteJWKSet,
  customFetch,
  errors,
  type CryptoKey,
  type FlattenedJWSInput,
  type JSONWebKeySet,
  type JWSHeaderParameters,
} from 'jose';
import { AuthConfigError } from './errors';

export type JwksConfig = { kind: 'discovery' } | { kind: 'url'; url: string } | { kind: 'file'; path: string };

export type KeyResolver = (header: JWSHeaderParameters, token: FlattenedJWSInput) => Promise<CryptoKey>;

export interface JwksSourceOptions {
  issuer: string;
  jwks: JwksConfig;
  cooldownMs: number;
  cacheMaxAgeMs: number;
  fetch?: typeof fetch;
  timeoutMs?: number;
}

/** Keys could not be obtained (network, HTTP status, bad JSON, discovery mismatch): not the token's fault. */
export class KeysUnavailableError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'KeysUnavailableError';
  }
}

const DEFAULT_TIMEOUT_MS = 5000;

/** Errors from key selection that say something about the token, passed through to the caller. */
function isKeySelectionError(err: unknown): boolean {
  return (
    err instanceof errors.JWKSNoMatchingKey ||
    err instanceof errors.JWKSMultipleMatchingKeys ||
    err instanceof errors.JOSENotSupported ||
    err instanceof errors.JOSEAlgNotAllowed
  );
}

function describe(err: unknown): string {
  if (err instanceof errors.JWKSTimeout) return 'the JWKS request timed out';
  if (err instanceof Error) {
    const cause = (err as { cause?: unknown }).cause;
    const detail = cause instanceof Error && cause.message ? ` (${cause.message})` : '';
    return `${err.message}${detail}`;
  }
  return String(err);
}

/** Wrap a jose key resolver so any failure to obtain keys surfaces as KeysUnavailableError. */
function guarded(resolve: () => Promise<KeyResolver>): KeyResolver {
  return async (header, token) => {
    let resolver: KeyResolver;
    try {
      resolver = await resolve();
    } catch (err) {
      throw err instanceof KeysUnavailableError ? err : new KeysUnavailableError(`signing keys are unavailable: ${describe(err)}`);
    }
    try {
      return await resolver(header, token);
    } catch (err) {
      if (isKeySelectionError(err)) throw err;
      throw new KeysUnavailableError(`signing keys are unavailable: ${describe(err)}`);
    }
  };
}

function parseHttpUrl(value: string, what: string): URL {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new AuthConfigError(`${what} is not a valid URL`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new AuthConfigError(`${what} must be an http(s) URL`);
  return url;
}

/** Read a static JWKS file now; a missing or invalid file is a configuration error naming the path. */
export function loadJwksFile(path: string): JSONWebKeySet {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new AuthConfigError(`cannot read JWKS file ${path}: ${(err as Error).message}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new AuthConfigError(`JWKS file ${path} is not valid JSON`);
  }
  const keys = (json as { keys?: unknown } | null)?.keys;
  if (!Array.isArray(keys) || keys.some((k) => typeof k !== 'object' || k === null || Array.isArray(k))) {
    throw new AuthConfigError(`JWKS file ${path} is not a JSON Web Key Set ({"keys": [...]})`);
  }
  if (keys.length === 0) throw new AuthConfigError(`JWKS file ${path} contains no keys`);
  if (keys.some((k: Record<string, unknown>) => 'd' in k || k['kty'] === 'oct')) {
    throw new AuthConfigError(`JWKS file ${path} contains private or symmetric key material; publish public keys only`);
  }
  return json as JSONWebKeySet;
}

/**
 * Where verification keys come from. Returns a jose-compatible key resolver.
 * - file: read once at creation (createLocalJWKSet).
 * - url: createRemoteJWKSet (fetches lazily, caches for cacheMaxAgeMs, refetches on an unknown kid at
 *   most once per cooldownMs).
 * - discovery: the issuer's /.well-known/openid-configuration is fetched on first use; its `issuer`
 *   must equal the configured issuer; its `jwks_uri` is then used as in `url`. A failed discovery is
 *   retried by the next authentication (concurrent callers share one attempt).
 */
export function createJwksSource(options: JwksSourceOptions): KeyResolver {
  const { jwks } = options;
  const fetchImpl = options.fetch;
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const remote = (url: URL): KeyResolver =>
    createRemoteJWKSet(url, {
      cooldownDuration: options.cooldownMs,
      cacheMaxAge: options.cacheMaxAgeMs,
      timeoutDuration: timeoutMs,
      ...(fetchImpl ? { [customFetch]: fetchImpl } : {}),
    });

  switch (jwks.kind) {
    case 'file': {
      const local = createLocalJWKSet(loadJwksFile(jwks.path));
      return guarded(async () => local);
    }
    case 'url': {
      const resolver = remote(parseHttpUrl(jwks.url, 'jwks.url'));
      return guarded(async () => resolver);
    }
    case 'discovery': {
      const issuerUrl = parseHttpUrl(options.issuer, 'issuer');
      let pending: Promise<KeyResolver> | undefined;
      const discover = async (): Promise<KeyResolver> => {
        const href = `${options.issuer.replace(/\/+$/, '')}/.well-known/openid-configuration`;
        const res = await (fetchImpl ?? fetch)(href, {
          headers: { accept: 'application/json' },
          redirect: 'manual',
          signal: AbortSignal.timeout(timeoutMs),
        });
        if (res.status !== 200) throw new KeysUnavailableError(`OIDC discovery at ${href} answered HTTP ${res.status}`);
        let doc: { issuer?: unknown; jwks_uri?: unknown };
        try {
          doc = (await res.json()) as typeof doc;
        } catch {
          throw new KeysUnavailableError(`OIDC discovery at ${href} did not return JSON`);
        }
        if (doc?.issuer !== options.issuer) {
          throw new KeysUnavailableError(`OIDC discovery document at ${href} names a different issuer than the configured ${options.issuer}`);
        }
        if (typeof doc.jwks_uri !== 'string') throw new KeysUnavailableError(`OIDC discovery document at ${href} has no jwks_uri`);
        let jwksUri: URL;
        try {
          jwksUri = parseHttpUrl(doc.jwks_uri, 'jwks_uri');
        } catch {
          throw new KeysUnavailableError(`OIDC discovery document at ${href} has an invalid jwks_uri`);
        }
        if (issuerUrl.protocol === 'https:' && jwksUri.protocol !== 'https:') {
          throw new KeysUnavailableError(`OIDC discovery document at ${href} has a non-https jwks_uri`);
        }
        return remote(jwksUri);
      };
      return guarded(() => {
        pending ??= discover().catch((err: unknown) => {
          pending = undefined;
          throw err;
        });
        return pending;
      });
    }
    default: {
      const kind: never = jwks;
      throw new AuthConfigError(`unknown jwks kind ${JSON.stringify((kind as { kind?: unknown }).kind)}`);
    }
  }
}
