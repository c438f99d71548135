import { createHash } from 'node:crypto';
import { createLocalIssuer } from './local-issuer';
import { serveDemoLogin, type DemoLogin } from './demo-login';

const verifier = 'v'.repeat(43) + '-abc';
const challenge = createHash('sha256').update(verifier).digest('base64url');
const redirect = 'http://127.0.0.1:9408/';

describe('demo sign-in: authorization code with PKCE', () => {
  let login: DemoLogin;
  beforeAll(async () => {
    const issuer = await createLocalIssuer({ issuer: 'https://demo.local', audience: 'chaperone' });
    login = await serveDemoLogin({ issuer, users: [{ subject: 'alice', groups: ['approvers'], label: 'approver' }] });
  });
  afterAll(() => login.close());

  const authorize = (params: Record<string, string>) =>
    fetch(`${login.url}/authorize`, {
      method: 'POST',
      redirect: 'manual',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ response_type: 'code', client_id: 'c', redirect_uri: redirect, state: 's1', code_challenge: challenge, code_challenge_method: 'S256', user: 'alice', ...params }),
    });
  const token = (code: string, v: string, extra: Record<string, string> = {}) =>
    fetch(`${login.url}/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'authorization_code', code, client_id: 'c', redirect_uri: redirect, code_verifier: v, ...extra }),
    });
  const codeOf = async (res: Response): Promise<string> => new URL(res.headers.get('location') ?? '').searchParams.get('code') ?? '';

  it('shows a login page that lists the users', async () => {
    const res = await fetch(`${login.url}/authorize?${new URLSearchParams({ response_type: 'code', client_id: 'c', redirect_uri: redirect, code_challenge: challenge, code_challenge_method: 'S256' })}`);
    expect(res.status).toBe(200);
    expect(await res.text()).toContain('Sign in as <b>alice</b>');
  });

  it('redirects back with a code and the state, and the verifier gets a signed token, once', async () => {
    const res = await authorize({});
    expect(res.status).toBe(303);
    const location = new URL(res.headers.get('location') ?? '');
    expect(location.origin + location.pathname).toBe(redirect);
    expect(location.searchParams.get('state')).toBe('s1');
    const ok = await token(await codeOf(res), verifier);
    expect(ok.status).toBe(200);
    const body = (await ok.json()) as { access_token: string };
    const claims = JSON.parse(Buffer.from(body.access_token.split('.')[1] ?? '', 'base64url').toString()) as { sub: string; groups: string[] };
    expect(claims).toMatchObject({ sub: 'alice', groups: ['approvers'] });
  });

  it('refuses a wrong verifier, and the code is spent afterwards', async () => {
    const code = await codeOf(await authorize({}));
    const bad = await token(code, 'w'.repeat(43));
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ error: 'invalid_grant' });
    expect((await token(code, verifier)).status).toBe(400);
  });

  it('refuses a redirect URI other than the one of the request', async () => {
    const code = await codeOf(await authorize({}));
    expect((await token(code, verifier, { redirect_uri: 'http://127.0.0.1:1/' })).status).toBe(400);
  });

  it('refuses requests without S256 PKCE or with a redirect off this machine', async () => {
    expect((await authorize({ code_challenge_method: 'plain' })).status).toBe(400);
    expect((await authorize({ redirect_uri: 'https://evil.example/' })).status).toBe(400);
    expect((await authorize({ user: 'mallory' })).status).toBe(400);
  });
});
