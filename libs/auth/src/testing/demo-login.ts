import { createHash, randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { LocalIssuer } from './local-issuer';

/**
 * The sign-in side of the demo issuer that `npm start` runs: an OAuth 2.0 authorization endpoint
 * with a demo login (pick a user, no password) and a token endpoint that exchanges the code with
 * PKCE (RFC 7636, S256 only). It lets the console's real authorization-code flow work out of the
 * box; a deployment points the console at its own identity provider instead. Not for production:
 * anyone who reaches it can sign in as any listed user.
 */
export interface DemoUser {
  /** The `sub` of the tokens (the user name Chaperone shows). */
  subject: string;
  groups: string[];
  /** What the login page says about this user. */
  label: string;
}

export interface DemoLoginOptions {
  issuer: LocalIssuer;
  users: DemoUser[];
  /** Default 127.0.0.1 and any free port. */
  host?: string;
  port?: number;
  /** Seconds a token is valid (default 8 h). */
  tokenTtlSeconds?: number;
}

export interface DemoLogin {
  /** Base URL; the endpoints are `${url}/authorize` and `${url}/token`. */
  url: string;
  close(): Promise<void>;
}

interface PendingCode {
  user: DemoUser;
  clientId: string;
  redirectUri: string;
  challenge: string;
  expires: number;
}

const CODE_TTL_MS = 60_000;
const VERIFIER = /^[A-Za-z0-9._~-]{43,128}$/;

/** Only loopback redirect URIs: the demo issuer serves a console on the same machine (RFC 8252 §7.3). */
function loopbackRedirect(uri: string): boolean {
  try {
    const u = new URL(uri);
    return (u.protocol === 'http:' || u.protocol === 'https:') && ['127.0.0.1', 'localhost', '[::1]'].includes(u.hostname) && u.hash === '';
  } catch {
    return false;
  }
}

const escapeHtml = (s: string): string => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

function s256(verifier: string): string {
  return createHash('sha256').update(verifier).digest('base64url');
}

async function readForm(req: IncomingMessage): Promise<URLSearchParams> {
  let body = '';
  for await (const chunk of req) {
    body += String(chunk);
    if (body.length > 16_384) throw new Error('form too large');
  }
  return new URLSearchParams(body);
}

function loginPage(params: URLSearchParams, users: DemoUser[]): string {
  const hidden = ['client_id', 'redirect_uri', 'state', 'code_challenge', 'code_challenge_method']
    .map((k) => `<input type="hidden" name="${k}" value="${escapeHtml(params.get(k) ?? '')}">`)
    .join('');
  const buttons = users
    .map((u) => `<button name="user" value="${escapeHtml(u.subject)}">Sign in as <b>${escapeHtml(u.subject)}</b><small>${escapeHtml(u.label)}</small></button>`)
    .join('');
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>Chaperone demo sign-in</title><style>
body{font:16px/1.5 system-ui,sans-serif;max-width:28rem;margin:3rem auto;padding:0 1rem;color:#1c2430}
h1{font-size:1.4rem}p{color:#4a5565}form{display:grid;gap:.75rem}
button{display:grid;text-align:left;padding:.8rem 1rem;border:1px solid #c5ccd6;border-radius:8px;background:#fff;font:inherit;cursor:pointer}
button:hover,button:focus-visible{border-color:#2457c5;outline:2px solid #2457c5}small{color:#4a5565}</style></head>
<body><main><h1>Chaperone demo sign-in</h1><p>This is the demo identity provider of <code>npm start</code>: choose who you are. A real deployment signs in with your organisation's provider.</p>
<form method="post" action="authorize">${hidden}${buttons}</form></main></body></html>`;
}

export async function serveDemoLogin(options: DemoLoginOptions): Promise<DemoLogin> {
  const codes = new Map<string, PendingCode>();
  const ttl = options.tokenTtlSeconds ?? 8 * 3600;

  const fail = (res: ServerResponse, status: number, error: string, description: string): void => {
    res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store', 'access-control-allow-origin': '*' });
    res.end(JSON.stringify({ error, error_description: description }));
  };

  /** Checks shared by the GET (show the page) and the POST (a user was picked). */
  const checkAuthorize = (p: URLSearchParams): string | undefined => {
    if (p.get('response_type') !== null && p.get('response_type') !== 'code') return 'response_type must be "code"';
    if (!p.get('client_id')) return 'client_id is required';
    if (!loopbackRedirect(p.get('redirect_uri') ?? '')) return 'redirect_uri must be an http(s) URL on 127.0.0.1 or localhost';
    if (p.get('code_challenge_method') !== 'S256' || !/^[A-Za-z0-9_-]{43}$/.test(p.get('code_challenge') ?? '')) {
      return 'PKCE is required: code_challenge (base64url SHA-256) with code_challenge_method=S256';
    }
    return undefined;
  };

  const authorize = async (req: IncomingMessage, res: ServerResponse, query: URLSearchParams): Promise<void> => {
    const params = req.method === 'POST' ? await readForm(req) : query;
    const problem = checkAuthorize(params);
    if (problem) return fail(res, 400, 'invalid_request', problem);
    if (req.method !== 'POST') {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store', 'x-frame-options': 'DENY' });
      res.end(loginPage(params, options.users));
      return;
    }
    const user = options.users.find((u) => u.subject === params.get('user'));
    if (!user) return fail(res, 400, 'access_denied', 'pick one of the listed users');
    const code = randomBytes(24).toString('base64url');
    const redirectUri = params.get('redirect_uri') ?? '';
    codes.set(code, { user, clientId: params.get('client_id') ?? '', redirectUri, challenge: params.get('code_challenge') ?? '', expires: Date.now() + CODE_TTL_MS });
    const back = new URL(redirectUri);
    back.searchParams.set('code', code);
    if (params.get('state')) back.searchParams.set('state', params.get('state') ?? '');
    res.writeHead(303, { location: back.toString(), 'cache-control': 'no-store' });
    res.end();
  };

  const token = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const p = await readForm(req);
    if (p.get('grant_type') !== 'authorization_code') return fail(res, 400, 'unsupported_grant_type', 'grant_type must be authorization_code');
    const code = p.get('code') ?? '';
    const pending = codes.get(code);
    // A code is used once, whatever the outcome (RFC 6749 §4.1.2).
    codes.delete(code);
    if (!pending || pending.expires < Date.now()) return fail(res, 400, 'invalid_grant', 'the code is unknown, used or expired');
    if (pending.clientId !== p.get('client_id') || pending.redirectUri !== p.get('redirect_uri')) {
      return fail(res, 400, 'invalid_grant', 'client_id and redirect_uri must be those of the authorization request');
    }
    const verifier = p.get('code_verifier') ?? '';
    if (!VERIFIER.test(verifier) || s256(verifier) !== pending.challenge) return fail(res, 400, 'invalid_grant', 'code_verifier does not match the code_challenge');
    const jwt = await options.issuer.sign({ sub: pending.user.subject, groups: pending.user.groups }, { expiresIn: ttl });
    res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-store', 'access-control-allow-origin': '*' });
    res.end(JSON.stringify({ access_token: jwt, id_token: jwt, token_type: 'Bearer', expires_in: ttl }));
  };

  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://demo');
    const run = async (): Promise<void> => {
      if (url.pathname === '/authorize' && (req.method === 'GET' || req.method === 'POST')) return authorize(req, res, url.searchParams);
      if (url.pathname === '/token' && req.method === 'OPTIONS') {
        res.writeHead(204, { 'access-control-allow-origin': '*', 'access-control-allow-methods': 'POST', 'access-control-allow-headers': 'content-type' });
        res.end();
        return;
      }
      if (url.pathname === '/token' && req.method === 'POST') return token(req, res);
      fail(res, 404, 'not_found', 'the demo issuer serves /authorize and /token');
    };
    run().catch(() => fail(res, 400, 'invalid_request', 'the request could not be read'));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => resolve());
  });
  const address = server.address() as AddressInfo;
  return {
    url: `http://${options.host ?? '127.0.0.1'}:${address.port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
