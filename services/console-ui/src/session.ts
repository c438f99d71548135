import { randomToken, s256Challenge, unverifiedClaims } from './pkce';

/** What the console service says about sign-in (GET /console/sign-in.json). */
export interface SignInSettings {
  authorizeUrl: string | null;
  tokenUrl: string | null;
  clientId: string;
  scope: string;
  approverGroups: string[];
  complianceGroups: string[];
}

export interface User {
  token: string;
  name: string;
  groups: string[];
  expiresAt: number;
}

// sessionStorage: the token lives as long as the tab, is not shared with other tabs, and is
// never put in a cookie or a URL.
const TOKEN_KEY = 'chaperone.token';
const FLOW_KEY = 'chaperone.signin';

export function currentUser(): User | undefined {
  const token = sessionStorage.getItem(TOKEN_KEY);
  if (!token) return undefined;
  const c = unverifiedClaims(token);
  const expiresAt = typeof c['exp'] === 'number' ? c['exp'] * 1000 : 0;
  if (expiresAt <= Date.now()) {
    sessionStorage.removeItem(TOKEN_KEY);
    return undefined;
  }
  const groups = Array.isArray(c['groups']) ? c['groups'].filter((g): g is string => typeof g === 'string') : [];
  return { token, name: String(c['preferred_username'] ?? c['sub'] ?? 'unknown'), groups, expiresAt };
}

export function signOut(): void {
  sessionStorage.removeItem(TOKEN_KEY);
}

const redirectUri = (): string => `${location.origin}/`;

/** Step 1: to the identity provider, with a fresh state and PKCE verifier. */
export async function startSignIn(settings: SignInSettings, returnTo: string): Promise<void> {
  if (!settings.authorizeUrl) throw new Error('sign-in is not configured (CHAPERONE_CONSOLE_OIDC_AUTHORIZE_URL)');
  const state = randomToken(16);
  const verifier = randomToken(48);
  sessionStorage.setItem(FLOW_KEY, JSON.stringify({ state, verifier, returnTo }));
  const url = new URL(settings.authorizeUrl);
  url.search = new URLSearchParams({
    response_type: 'code',
    client_id: settings.clientId,
    redirect_uri: redirectUri(),
    scope: settings.scope,
    state,
    code_challenge: await s256Challenge(verifier),
    code_challenge_method: 'S256',
  }).toString();
  location.assign(url.toString());
}

/** Step 2, back from the provider with ?code&state: exchange the code, proving the verifier. Returns where to go. */
export async function finishSignIn(settings: SignInSettings): Promise<string | undefined> {
  const params = new URLSearchParams(location.search);
  const code = params.get('code');
  const error = params.get('error');
  if (!code && !error) return undefined;
  const flow = JSON.parse(sessionStorage.getItem(FLOW_KEY) ?? 'null') as { state: string; verifier: string; returnTo: string } | null;
  sessionStorage.removeItem(FLOW_KEY);
  history.replaceState(null, '', '/');
  if (error) throw new Error(`sign-in failed: ${error}${params.get('error_description') ? ` (${params.get('error_description')})` : ''}`);
  if (!flow || flow.state !== params.get('state')) throw new Error('sign-in failed: the answer does not belong to a sign-in started here; try again');
  if (!settings.tokenUrl) throw new Error('sign-in is not configured (CHAPERONE_CONSOLE_OIDC_TOKEN_URL)');
  const res = await fetch(settings.tokenUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: 'authorization_code', code: code ?? '', redirect_uri: redirectUri(), client_id: settings.clientId, code_verifier: flow.verifier }),
  });
  const body = (await res.json().catch(() => ({}))) as { access_token?: string; id_token?: string; error_description?: string };
  const token = body.access_token ?? body.id_token;
  if (!res.ok || !token) throw new Error(`sign-in failed: ${body.error_description ?? `the token endpoint answered ${res.status}`}`);
  sessionStorage.setItem(TOKEN_KEY, token);
  return flow.returnTo || '/';
}
