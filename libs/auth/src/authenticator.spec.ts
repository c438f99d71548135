import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { base64url, generateKeyPair, generateSecret, SignJWT, UnsecuredJWT } from 'jose';
import {
  AuthConfigError,
  AuthenticationError,
  createAuthenticator,
  createLocalIssuer,
  type AuthConfig,
  type AuthFailureReason,
  type Authenticator,
  type LocalIssuer,
  type ServedIssuer,
} from './index';

const AUD = 'chaperone';
const SECRET_SUB = 'subject-value-that-must-not-leak';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

let issuer: LocalIssuer;
let served: ServedIssuer;
const toClose: Array<{ close(): unknown }> = [];
const tmp = mkdtempSync(join(tmpdir(), 'chaperone-auth-'));

beforeAll(async () => {
  issuer = await createLocalIssuer({ issuer: 'self', audience: AUD });
  served = await issuer.serve();
});

afterEach(() => {
  while (toClose.length) toClose.pop()?.close();
});

afterAll(async () => {
  await served.close();
});

function auth(overrides: Partial<AuthConfig> = {}, deps: Parameters<typeof createAuthenticator>[1] = {}, from: LocalIssuer = issuer, url = served.url): Authenticator {
  const a = createAuthenticator(
    {
      issuer: from.issuer,
      audiences: [AUD],
      algorithms: ['ES256'],
      clockToleranceSec: 0,
      jwks: { kind: 'url', url: `${url}/jwks` },
      ...overrides,
    },
    deps,
  );
  toClose.push(a);
  return a;
}

/** Expect a refusal with `reason`, and check that the message does not echo the token or its values. */
async function refused(a: Authenticator, header: string | undefined, reason: AuthFailureReason): Promise<AuthenticationError> {
  let caught: unknown;
  try {
    await a.authenticate(header);
  } catch (err) {
    caught = err;
  }
  expect(caught).toBeInstanceOf(AuthenticationError);
  const err = caught as AuthenticationError;
  expect({ reason: err.reason, message: err.message }).toEqual({ reason, message: expect.any(String) });
  expect(err.message).not.toContain(SECRET_SUB);
  if (header) {
    const token = header.includes(' ') ? header.slice(header.indexOf(' ') + 1).trim() : '';
    if (token.length >= 8) expect(err.message).not.toContain(token);
    for (const segment of token.split('.')) if (segment.length > 8) expect(err.message).not.toContain(segment);
  }
  expect(err.cause).toBeUndefined();
  return err;
}

const bearer = (token: string) => `Bearer ${token}`;

describe('valid tokens', () => {
  it('maps default claims to an identity', async () => {
    const token = await issuer.sign({ sub: 'agent-7', groups: ['team-a', 'team-b'], jti: 'j1' });
    const payload = JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString()) as { exp: number };
    const result = await auth().authenticate(bearer(token));
    expect(result.identity).toEqual({ subject: 'agent-7', username: 'agent-7', groups: ['team-a', 'team-b'], agent: 'agent-7', issuer: served.url });
    expect(result.expiresAt).toBe(payload.exp * 1000);
    expect(result.sessionId).toMatch(/^tok-[0-9a-f]{32}$/);
  });

  it('uses custom claim names, the username prefix, a string group and the agent claim', async () => {
    const a = auth({ claims: { username: 'email', groups: 'roles', agent: 'agent_name', session: 'session_id' }, usernamePrefix: 'oidc:' });
    const token = await issuer.sign({ sub: 'u-1', email: 'bot@example.com', roles: 'readers', agent_name: 'deploy-bot', session_id: 'sess-42' });
    const result = await a.authenticate(`bearer ${token}`);
    expect(result.identity).toEqual({ subject: 'u-1', username: 'oidc:bot@example.com', groups: ['readers'], agent: 'deploy-bot', issuer: served.url });
    expect(result.sessionId).toBe('sess-42');
  });

  it('falls back to the (prefixed) username for the agent, to [] for groups, and reads sid by default', async () => {
    const token = await issuer.sign({ sub: 'u-2', sid: 'abc' });
    const result = await auth({ usernamePrefix: 'oidc:' }).authenticate(`BEARER ${token}`);
    expect(result.identity).toMatchObject({ username: 'oidc:u-2', agent: 'oidc:u-2', groups: [] });
    expect(result.sessionId).toBe('abc');
  });

  it('derives one stable session id per token when there is no session claim', async () => {
    const a = auth();
    const t1 = await issuer.sign({ sub: 'u-3', jti: 'one' });
    const t2 = await issuer.sign({ sub: 'u-3', jti: 'two' });
    const s1 = (await a.authenticate(bearer(t1))).sessionId;
    expect((await auth().authenticate(bearer(t1))).sessionId).toBe(s1);
    expect((await a.authenticate(bearer(t2))).sessionId).not.toBe(s1);
  });

  it('accepts any of several audiences and returns frozen results', async () => {
    const token = await issuer.sign({ sub: 'u-4', aud: ['other', AUD] });
    const result = await auth({ audiences: ['x', AUD] }).authenticate(bearer(token));
    expect(Object.isFrozen(result.identity)).toBe(true);
    expect(Object.isFrozen(result.identity.groups)).toBe(true);
  });

  it('tries each candidate key for a token without kid (jose v6 leaves that to the caller)', async () => {
    const rotating = await createLocalIssuer({ issuer: 'https://rotating.example', audience: AUD });
    await rotating.rotate();
    expect(rotating.jwks.keys).toHaveLength(2);
    const file = join(tmp, 'two-keys.json');
    rotating.writeJwksFile(file);
    const a = auth({ jwks: { kind: 'file', path: file } }, {}, rotating);
    const token = await rotating.sign({ sub: 'u-5' }, { kid: null });
    await expect(a.authenticate(bearer(token))).resolves.toMatchObject({ identity: { subject: 'u-5' } });
  });
});

describe('refusals', () => {
  it('missing and malformed headers', async () => {
    const a = auth();
    const token = await issuer.sign({ sub: SECRET_SUB });
    await refused(a, undefined, 'missing');
    await refused(a, '', 'missing');
    for (const header of ['Basic dXNlcjpwYXNz', 'Bearer', 'Bearer ', `Bearer  ${token}`, `Bearer ${token} `, `Token ${token}`, `Bearer ${token}.x.y`, 'Bearer not-a-jwt', `Bearer ${'a'.repeat(20_000)}.b.c`]) {
      await refused(a, header, 'malformed');
    }
    await refused(a, 'Bearer aaaa.bbbb.cccc', 'malformed');
  });

  it('expired, and expired within the clock tolerance', async () => {
    const token = await issuer.sign({ sub: SECRET_SUB }, { expiresIn: -10 });
    const err = await refused(auth(), bearer(token), 'expired');
    expect(err.message).toBe('token has expired');
    await expect(auth({ clockToleranceSec: 30 }).authenticate(bearer(token))).resolves.toBeDefined();
  });

  it('not yet valid (nbf, iat), and nbf within the clock tolerance', async () => {
    const early = await issuer.sign({ sub: SECRET_SUB }, { notBefore: 120 });
    await refused(auth({ clockToleranceSec: 30 }), bearer(early), 'not-yet-valid');
    const soon = await issuer.sign({ sub: SECRET_SUB }, { notBefore: 10 });
    await expect(auth({ clockToleranceSec: 30 }).authenticate(bearer(soon))).resolves.toBeDefined();
    const future = await issuer.sign({ sub: SECRET_SUB, iat: Math.floor(Date.now() / 1000) + 600 }, { expiresIn: 900 });
    await refused(auth({ clockToleranceSec: 30 }), bearer(future), 'not-yet-valid');
  });

  it('wrong issuer and wrong audience', async () => {
    const wrongIss = await issuer.sign({ sub: SECRET_SUB, iss: 'https://evil.example' });
    const e1 = await refused(auth(), bearer(wrongIss), 'wrong-issuer');
    expect(e1.message).toContain(served.url);
    expect(e1.message).not.toContain('evil');
    const wrongAud = await issuer.sign({ sub: SECRET_SUB, aud: 'somebody-else' });
    const e2 = await refused(auth(), bearer(wrongAud), 'wrong-audience');
    expect(e2.message).toBe('token audience is not one of the accepted audiences (chaperone)');
  });

  it('unknown kid', async () => {
    const token = await issuer.sign({ sub: SECRET_SUB }, { kid: 'no-such-key' });
    const err = await refused(auth(), bearer(token), 'unknown-key');
    expect(err.message).toBe('token was signed by an unknown key (kid no-such-key)');
  });

  it('tampered payload and transplanted signature', async () => {
    const token = await issuer.sign({ sub: SECRET_SUB, groups: ['viewers'] });
    const [h, , s] = token.split('.');
    const forged = base64url.encode(JSON.stringify({ iss: served.url, aud: AUD, sub: SECRET_SUB, groups: ['system:masters'], exp: Math.floor(Date.now() / 1000) + 60 }));
    await refused(auth(), bearer(`${h}.${forged}.${s}`), 'bad-signature');
    const other = await issuer.sign({ sub: 'someone-else' });
    await refused(auth(), bearer(`${h}.${token.split('.')[1]}.${other.split('.')[2]}`), 'bad-signature');
  });

  it('algorithms outside the allow-list: RS256 key, HS256, alg none', async () => {
    const now = Math.floor(Date.now() / 1000);
    const claims = { iss: served.url, aud: AUD, sub: SECRET_SUB, exp: now + 60 };
    const rsa = await generateKeyPair('RS256');
    const rs = await new SignJWT(claims).setProtectedHeader({ alg: 'RS256', kid: issuer.kid }).sign(rsa.privateKey);
    const e1 = await refused(auth(), bearer(rs), 'algorithm-not-allowed');
    expect(e1.message).toBe('token algorithm RS256 is not allowed (allowed: ES256)');
    // Allowed algorithm but a key the issuer never published under that kid: no key confusion.
    await refused(auth({ algorithms: ['ES256', 'RS256'] }), bearer(rs), 'unknown-key');

    const secret = await generateSecret('HS256');
    const hs = await new SignJWT(claims).setProtectedHeader({ alg: 'HS256', kid: issuer.kid }).sign(secret);
    await refused(auth({ algorithms: ['ES256', 'RS256'] }), bearer(hs), 'algorithm-not-allowed');

    const none = new UnsecuredJWT(claims).encode();
    expect(none.endsWith('.')).toBe(true);
    const e3 = await refused(auth(), bearer(none), 'algorithm-not-allowed');
    expect(e3.message).toContain('none');
  });

  it('missing or unusable claims', async () => {
    await refused(auth(), bearer(await issuer.sign({ groups: ['x'] })), 'missing-claim');
    await refused(auth(), bearer(await issuer.sign({ sub: SECRET_SUB }, { expiresIn: null })), 'missing-claim');
    await refused(auth({ claims: { username: 'email' } }), bearer(await issuer.sign({ sub: SECRET_SUB })), 'missing-claim');
    await refused(auth({ claims: { username: 'email' } }), bearer(await issuer.sign({ sub: SECRET_SUB, email: 42 })), 'missing-claim');
    await refused(auth(), bearer(await issuer.sign({ sub: 'evil\nname' })), 'malformed');
    await refused(auth(), bearer(await issuer.sign({ sub: SECRET_SUB, groups: ['ok', 'bad\u0000'] })), 'malformed');
    await refused(auth(), bearer(await issuer.sign({ sub: SECRET_SUB, groups: [1] })), 'malformed');
    await refused(auth(), bearer(await issuer.sign({ sub: 'x'.repeat(600) })), 'malformed');
    await refused(auth(), bearer(await issuer.sign({ sub: SECRET_SUB, sid: 'has space' })), 'malformed');
    await refused(auth(), bearer(await issuer.sign({ sub: SECRET_SUB, agent: ['a'] })), 'malformed');
    await refused(auth(), bearer(await issuer.sign({ sub: SECRET_SUB, exp: 'tomorrow' as unknown as number })), 'malformed');
  });

  it('keys unavailable when the JWKS endpoint is down, without caching the failure', async () => {
    const down = await createLocalIssuer({ issuer: 'self', audience: AUD });
    const srv = await down.serve();
    await srv.close();
    const a = auth({}, {}, down, srv.url);
    const token = await down.sign({ sub: SECRET_SUB });
    const err = await refused(a, bearer(token), 'keys-unavailable');
    expect(err.message).toMatch(/^signing keys are unavailable: /);
  });

  it('after close', async () => {
    const a = auth();
    a.close();
    await expect(a.authenticate(bearer(await issuer.sign({ sub: 'x' })))).rejects.toThrow('authenticator is closed');
  });
});

describe('configuration', () => {
  const base: AuthConfig = { issuer: 'https://i.example', audiences: [AUD], algorithms: ['ES256'], clockToleranceSec: 0, jwks: { kind: 'url', url: 'https://i.example/jwks' }, claims: { username: 'sub', groups: 'groups', agent: 'agent', session: 'sid' } };

  it.each([
    [{ algorithms: ['none'] }, /"none" is never allowed/],
    [{ algorithms: ['ES256', 'HS256'] }, /HS256 is symmetric/],
    [{ algorithms: [] }, /non-empty allow-list/],
    [{ algorithms: ['XX1'] }, /unsupported algorithm/],
    [{ audiences: [] }, /audiences/],
    [{ issuer: '' }, /issuer/],
    [{ clockToleranceSec: -1 }, /clockToleranceSec/],
    [{ jwks: { kind: 'url', url: 'ftp://x' } }, /jwks.url/],
  ] as Array<[Partial<AuthConfig>, RegExp]>)('refuses %j', (patch, message) => {
    expect(() => createAuthenticator({ ...base, ...patch })).toThrow(AuthConfigError);
    expect(() => createAuthenticator({ ...base, ...patch })).toThrow(message);
  });

  it('names an unreadable or invalid JWKS file', () => {
    const missing = join(tmp, 'missing.json');
    expect(() => createAuthenticator({ ...base, jwks: { kind: 'file', path: missing } })).toThrow(missing);
    const bad = join(tmp, 'bad.json');
    writeFileSync(bad, '{"nope": 1}');
    expect(() => createAuthenticator({ ...base, jwks: { kind: 'file', path: bad } })).toThrow(`JWKS file ${bad} is not a JSON Web Key Set`);
    writeFileSync(bad, 'not json');
    expect(() => createAuthenticator({ ...base, jwks: { kind: 'file', path: bad } })).toThrow(bad);
  });
});

describe('key sources', () => {
  it('static JWKS file, read once at creation', async () => {
    const file = join(tmp, 'jwks.json');
    issuer.writeJwksFile(file);
    const before = issuer.hits.jwks;
    const a = auth({ jwks: { kind: 'file', path: file } });
    writeFileSync(file, 'changed after creation');
    await expect(a.authenticate(bearer(await issuer.sign({ sub: 'f' })))).resolves.toMatchObject({ identity: { subject: 'f' } });
    await refused(a, bearer(await issuer.sign({ sub: SECRET_SUB }, { kid: 'other' })), 'unknown-key');
    expect(issuer.hits.jwks).toBe(before);
  });

  it('OIDC discovery: fetched once, then its jwks_uri is used', async () => {
    const d0 = issuer.hits.discovery;
    const a = auth({ jwks: { kind: 'discovery' } });
    for (let i = 0; i < 3; i++) await a.authenticate(bearer(await issuer.sign({ sub: `d${i}` })));
    expect(issuer.hits.discovery - d0).toBe(1);
  });

  it('discovery refuses a document naming another issuer', async () => {
    const a = auth({ issuer: `${served.url}/`, jwks: { kind: 'discovery' } });
    const token = await issuer.sign({ sub: SECRET_SUB, iss: `${served.url}/` });
    const err = await refused(a, bearer(token), 'keys-unavailable');
    expect(err.message).toContain('names a different issuer');
  });

  it('a failed discovery is retried by the next call', async () => {
    let calls = 0;
    const flaky: typeof fetch = async (input, init) => {
      calls++;
      if (calls === 1) throw new TypeError('fetch failed');
      return fetch(input, init);
    };
    const a = auth({ jwks: { kind: 'discovery' } }, { fetch: flaky });
    const token = await issuer.sign({ sub: 'retry' });
    await refused(a, bearer(token), 'keys-unavailable');
    await expect(a.authenticate(bearer(token))).resolves.toMatchObject({ identity: { subject: 'retry' } });
    expect(calls).toBe(3); // discovery (failed), discovery, jwks
  });
});

describe('key rotation and refetch cooldown', () => {
  let own: LocalIssuer;
  let srv: ServedIssuer;
  beforeEach(async () => {
    own = await createLocalIssuer({ issuer: 'self', audience: AUD, alg: 'RS256' });
    srv = await own.serve();
  });
  afterEach(() => srv.close());

  it('a token with a new kid triggers a refetch once the cooldown has passed', async () => {
    const a = auth({ algorithms: ['RS256'], cooldownMs: 100 }, {}, own, srv.url);
    await a.authenticate(bearer(await own.sign({ sub: 'before' })));
    expect(own.hits.jwks).toBe(1);
    await own.rotate({ keepOld: false });
    await sleep(150);
    await expect(a.authenticate(bearer(await own.sign({ sub: 'after' })))).resolves.toMatchObject({ identity: { subject: 'after' } });
    expect(own.hits.jwks).toBe(2);
  });

  it('a flood of unknown kids causes at most one extra JWKS fetch per cooldown', async () => {
    // Tokens are signed up front so that the cooldown windows hold only the verifications, and the
    // cooldown is long enough for a loaded machine to refuse 20 tokens within it.
    const burst = await Promise.all(Array.from({ length: 20 }, (_, i) => own.sign({ sub: SECRET_SUB }, { kid: `ghost-${i}` })));
    const flood = await Promise.all(Array.from({ length: 50 }, (_, i) => own.sign({ sub: SECRET_SUB }, { kid: `flood-${i}` })));
    const a = auth({ algorithms: ['RS256'], cooldownMs: 1500 }, {}, own, srv.url);
    await a.authenticate(bearer(await own.sign({ sub: 'warm' })));
    expect(own.hits.jwks).toBe(1);
    // Within the cooldown that follows the first fetch: no refetch at all.
    for (const t of burst) await refused(a, bearer(t), 'unknown-key');
    expect(own.hits.jwks).toBe(1);
    await sleep(1600);
    // Cooldown over: 50 concurrent unknown kids share a single refetch, then the cooldown holds again.
    const results = await Promise.allSettled(flood.map((t) => a.authenticate(bearer(t))));
    expect(results.every((r) => r.status === 'rejected' && (r.reason as AuthenticationError).reason === 'unknown-key')).toBe(true);
    for (const t of flood.slice(0, 10)) await refused(a, bearer(t), 'unknown-key');
    expect(own.hits.jwks).toBe(2);
  });
});

describe('verified-token cache', () => {
  let own: LocalIssuer;
  let srv: ServedIssuer;
  beforeEach(async () => {
    own = await createLocalIssuer({ issuer: 'self', audience: AUD });
    srv = await own.serve();
  });
  afterEach(() => srv.close());

  // cacheMaxAgeMs: 0 makes jose refetch the JWKS for every verification, so JWKS hits count verifications.
  it('does not re-verify a cached token, and verifies concurrent first uses once', async () => {
    const a = auth({ cacheMaxAgeMs: 0 }, {}, own, srv.url);
    const token = await own.sign({ sub: 'c1' });
    const results = await Promise.all(Array.from({ length: 10 }, () => a.authenticate(bearer(token))));
    expect(own.hits.jwks).toBe(1);
    expect(new Set(results).size).toBe(1);
    await a.authenticate(bearer(token));
    await a.authenticate(`bearer ${token}`);
    expect(own.hits.jwks).toBe(1);
    await a.authenticate(bearer(await own.sign({ sub: 'c2' })));
    expect(own.hits.jwks).toBe(2);
  });

  it('never serves a cached token past its exp', async () => {
    let clock = Date.now();
    const a = auth({ cacheMaxAgeMs: 0 }, { now: () => clock }, own, srv.url);
    const token = await own.sign({ sub: SECRET_SUB }, { expiresIn: 60 });
    const first = await a.authenticate(bearer(token));
    clock = first.expiresAt - 1;
    await expect(a.authenticate(bearer(token))).resolves.toBe(first);
    expect(own.hits.jwks).toBe(1);
    clock = first.expiresAt;
    await refused(a, bearer(token), 'expired');
  });

  it('does not cache failures', async () => {
    const a = auth({ cacheMaxAgeMs: 0 }, {}, own, srv.url);
    const token = await own.sign({ sub: SECRET_SUB, aud: 'nope' });
    await refused(a, bearer(token), 'wrong-audience');
    await refused(a, bearer(token), 'wrong-audience');
    expect(own.hits.jwks).toBe(2);
  });
});
