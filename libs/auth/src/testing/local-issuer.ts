import { randomUUID } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JSONWebKeySet, type JWK, type JWTPayload } from 'jose';

/**
 * A tiny OIDC issuer for tests of this and other packages: real keys, real signatures, and an
 * optional real HTTP endpoint (discovery + JWKS) on 127.0.0.1. Not for production use.
 */
export type LocalIssuerAlg = 'ES256' | 'ES384' | 'RS256' | 'PS256' | 'EdDSA';

export interface LocalIssuerOptions {
  /** The `iss` to sign with; 'self' means "the URL of serve()" (sign() then requires serve() first). */
  issuer: string;
  /** Default `aud` of signed tokens. */
  audience: string | string[];
  /** Signing algorithm (default ES256). */
  alg?: LocalIssuerAlg;
}

export interface SignOptions {
  /** Seconds from now, or a jose duration string such as '5m' (default '5m'); null: no `exp`. Ignored if claims.exp is set. */
  expiresIn?: number | string | null;
  /** Seconds from now, or a jose duration string such as '1h'; sets `nbf`. */
  notBefore?: number | string;
  /** Overrides the `kid` header (e.g. to present a key the issuer never published); null omits it. */
  kid?: string | null;
}

export interface ServedIssuer {
  url: string;
  close(): Promise<void>;
}

export interface LocalIssuer {
  /** The issuer claim value (for 'self', the served URL once serve() resolved). */
  readonly issuer: string;
  readonly alg: LocalIssuerAlg;
  /** kid of the current signing key. */
  readonly kid: string;
  /** Public JWK set (every key added so far that was not dropped by rotate). */
  readonly jwks: JSONWebKeySet;
  /** Requests served so far, per endpoint. */
  readonly hits: { discovery: number; jwks: number };
  writeJwksFile(path: string): void;
  serve(): Promise<ServedIssuer>;
  sign(claims?: JWTPayload, options?: SignOptions): Promise<string>;
  /** Generate a new signing key (new kid) and publish it; `keepOld: false` unpublishes earlier keys. */
  rotate(options?: { keepOld?: boolean }): Promise<string>;
}

interface SigningKey {
  kid: string;
  privateKey: CryptoKey;
  publicJwk: JWK;
}

async function newKey(alg: LocalIssuerAlg): Promise<SigningKey> {
  const { privateKey, publicKey } = await generateKeyPair(alg);
  const kid = `key-${randomUUID().slice(0, 8)}`;
  const publicJwk = { ...(await exportJWK(publicKey)), kid, alg, use: 'sig' };
  return { kid, privateKey, publicJwk };
}

function relative(value: number | string): number | string {
  return typeof value === 'number' ? Math.floor(Date.now() / 1000) + value : value;
}

export async function createLocalIssuer(options: LocalIssuerOptions): Promise<LocalIssuer> {
  const alg = options.alg ?? 'ES256';
  let current = await newKey(alg);
  let published: JWK[] = [current.publicJwk];
  let issuer: string | undefined = options.issuer === 'self' ? undefined : options.issuer;
  const hits = { discovery: 0, jwks: 0 };
  const servers = new Set<Server>();

  const requireIssuer = (): string => {
    if (issuer === undefined) throw new Error("local issuer created with issuer 'self' must be served before use");
    return issuer;
  };

  const local: LocalIssuer = {
    get issuer() {
      return requireIssuer();
    },
    alg,
    get kid() {
      return current.kid;
    },
    get jwks() {
      return { keys: published.map((k) => ({ ...k })) };
    },
    hits,
    writeJwksFile(path) {
      writeFileSync(path, JSON.stringify(local.jwks, null, 2));
    },
    async serve() {
      const server = createServer((req, res) => {
        const path = (req.url ?? '/').split('?')[0];
        const send = (body: unknown): void => {
          res.writeHead(200, { 'content-type': 'application/json' });
          res.end(JSON.stringify(body));
        };
        if (req.method === 'GET' && path === '/.well-known/openid-configuration') {
          hits.discovery++;
          send({ issuer: requireIssuer(), jwks_uri: `${url}/jwks`, id_token_signing_alg_values_supported: [alg] });
        } else if (req.method === 'GET' && path === '/jwks') {
          hits.jwks++;
          send(local.jwks);
        } else {
          res.writeHead(404).end();
        }
      });
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(0, '127.0.0.1', () => resolve());
      });
      servers.add(server);
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      if (options.issuer === 'self') issuer ??= url;
      return {
        url,
        close: () =>
          new Promise<void>((resolve) => {
            servers.delete(server);
            server.close(() => resolve());
            server.closeAllConnections();
          }),
      };
    },
    async sign(claims = {}, signOptions = {}) {
      const kid = signOptions.kid === undefined ? current.kid : signOptions.kid;
      const jwt = new SignJWT({ iss: requireIssuer(), aud: options.audience, ...claims }).setProtectedHeader({
        alg,
        typ: 'JWT',
        ...(kid === null ? {} : { kid }),
      });
      if (claims.iat === undefined) jwt.setIssuedAt();
      const expiresIn = signOptions.expiresIn === undefined ? '5m' : signOptions.expiresIn;
      if (claims.exp === undefined && expiresIn !== null) jwt.setExpirationTime(relative(expiresIn));
      if (signOptions.notBefore !== undefined && claims.nbf === undefined) jwt.setNotBefore(relative(signOptions.notBefore));
      return jwt.sign(current.privateKey);
    },
    async rotate(rotateOptions = {}) {
      current = await newKey(alg);
      published = rotateOptions.keepOld === false ? [current.publicJwk] : [...published, current.publicJwk];
      return current.kid;
    },
  };
  return local;
}
