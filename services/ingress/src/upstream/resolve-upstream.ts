import { readFileSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent, type AgentOptions, type RequestOptions } from 'node:https';
import { parse as parseYaml } from 'yaml';
import { StartupError } from '@chaperone/service-runtime';
import type { Upstream } from './upstream';

export type UpstreamSource =
  | { kind: 'kubeconfig'; path: string; context: string | undefined }
  | { kind: 'in-cluster' }
  | { kind: 'token-file'; url: string; tokenFile: string | undefined; caFile: string | undefined };

const SA_DIR = '/var/run/secrets/kubernetes.io/serviceaccount';
/** Bound service-account tokens rotate; re-read the file at most this often. */
const TOKEN_REREAD_MS = 60_000;

/**
 * The API server's TLS options (its CA, a client certificate and key) are the agent's own, the
 * same for every request. Node's https Agent names a request's connection pool by concatenating
 * them, CA and key as text, several times per request (taking a socket, freeing it): kilobytes of
 * strings per request. The name is computed once per origin instead.
 */
export class UpstreamHttpsAgent extends HttpsAgent {
  private readonly names = new Map<string, string>();

  override getName(options: RequestOptions = {}): string {
    const origin = `${options.host ?? ''}:${options.port ?? ''}:${options.localAddress ?? ''}:${options.family ?? ''}:${options.servername ?? ''}`;
    let name = this.names.get(origin);
    if (name === undefined) {
      name = super.getName(options);
      this.names.set(origin, name);
    }
    return name;
  }
}

function agentFor(url: URL, tls: AgentOptions): HttpAgent | HttpsAgent {
  // Keep-alive: connection setup to the API server is the largest fixed cost of a proxied request.
  const common = { keepAlive: true, maxSockets: 256, maxFreeSockets: 64 };
  return url.protocol === 'https:' ? new UpstreamHttpsAgent({ ...common, ...tls }) : new HttpAgent(common);
}

function tokenFromFile(path: string): () => string {
  let cached = '';
  let readAt = 0;
  return () => {
    const now = Date.now();
    if (now - readAt > TOKEN_REREAD_MS) {
      cached = readFileSync(path, 'utf8').trim();
      readAt = now;
    }
    return cached;
  };
}

function readRequired(path: string, what: string): Buffer {
  try {
    return readFileSync(path);
  } catch (e) {
    throw new StartupError(`cannot read ${what} at ${path}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`);
  }
}

export function resolveUpstream(source: UpstreamSource): Upstream {
  switch (source.kind) {
    case 'in-cluster': {
      const host = process.env['KUBERNETES_SERVICE_HOST'];
      const port = process.env['KUBERNETES_SERVICE_PORT'] ?? '443';
      if (!host) throw new StartupError('in-cluster upstream requested but KUBERNETES_SERVICE_HOST is not set');
      const target = new URL(`https://${host.includes(':') ? `[${host}]` : host}:${port}`);
      const token = tokenFromFile(`${SA_DIR}/token`);
      token();
      return {
        target,
        agent: agentFor(target, { ca: readRequired(`${SA_DIR}/ca.crt`, 'the service-account CA') }),
        authorization: () => `Bearer ${token()}`,
        describe: `in-cluster service account (${target.host})`,
      };
    }
    case 'token-file': {
      const target = parseUrl(source.url, 'CHAPERONE_UPSTREAM_URL');
      const token = source.tokenFile ? tokenFromFile(source.tokenFile) : undefined;
      if (source.tokenFile) readRequired(source.tokenFile, 'the upstream token file');
      const ca = source.caFile ? readRequired(source.caFile, 'the upstream CA file') : undefined;
      return {
        target,
        agent: agentFor(target, ca ? { ca } : {}),
        authorization: () => (token ? `Bearer ${token()}` : undefined),
        describe: `${target.origin} with ${source.tokenFile ? 'a token file' : 'no credential'}`,
      };
    }
    case 'kubeconfig':
      return fromKubeconfig(source.path, source.context);
    default: {
      const unhandled: never = source;
      throw new Error(`unknown upstream source ${JSON.stringify(unhandled)}`);
    }
  }
}

function parseUrl(raw: string, what: string): URL {
  try {
    return new URL(raw);
  } catch {
    throw new StartupError(`${what}: "${raw}" is not a URL (expected e.g. https://10.0.0.1:6443)`);
  }
}

/** A kubeconfig list entry: `{ name, <key>: value }`. */
type Named = { name: string } & Record<string, unknown>;

/** The subset of a kubeconfig Chaperone understands; exec and auth-provider plugins are refused. */
function fromKubeconfig(path: string, contextName: string | undefined): Upstream {
  const doc = parseYaml(readRequired(path, 'the kubeconfig').toString('utf8')) as Record<string, unknown> | null;
  if (!doc || typeof doc !== 'object') throw new StartupError(`kubeconfig ${path} is empty or not YAML`);
  const pick = <T>(list: unknown, key: string, name: string, what: string): T => {
    const found = (Array.isArray(list) ? (list as Named[]) : []).find((e) => e.name === name);
    const value = found?.[key] as T | undefined;
    if (!value) throw new StartupError(`kubeconfig ${path}: ${what} "${name}" not found`);
    return value;
  };
  const ctxName = contextName ?? (doc['current-context'] as string | undefined);
  if (!ctxName) throw new StartupError(`kubeconfig ${path} has no current-context; set CHAPERONE_UPSTREAM_CONTEXT`);
  const ctx = pick<{ cluster: string; user: string }>(doc['contexts'], 'context', ctxName, 'context');
  const cluster = pick<Record<string, string | boolean>>(doc['clusters'], 'cluster', ctx.cluster, 'cluster');
  const user = ctx.user
    ? pick<Record<string, unknown>>(doc['users'], 'user', ctx.user, 'user')
    : ({} as Record<string, unknown>);
  const base = dirname(path);
  const file = (p: unknown) => readRequired(isAbsolute(String(p)) ? String(p) : resolve(base, String(p)), 'a kubeconfig file');
  const data = (inline: unknown, fileRef: unknown): Buffer | undefined =>
    typeof inline === 'string' ? Buffer.from(inline, 'base64') : fileRef ? file(fileRef) : undefined;

  if (user['exec'] || user['auth-provider']) {
    throw new StartupError(
      `kubeconfig ${path}: user "${ctx.user}" uses an exec or auth-provider plugin, which Chaperone does not run; use a token, a token file or a client certificate`,
    );
  }
  const target = parseUrl(String(cluster['server']), `kubeconfig cluster "${ctx.cluster}" server`);
  const tls: AgentOptions = {};
  const ca = data(cluster['certificate-authority-data'], cluster['certificate-authority']);
  if (ca) tls.ca = ca;
  if (cluster['insecure-skip-tls-verify'] === true) tls.rejectUnauthorized = false;
  if (typeof cluster['tls-server-name'] === 'string') tls.servername = cluster['tls-server-name'];
  const cert = data(user['client-certificate-data'], user['client-certificate']);
  const key = data(user['client-key-data'], user['client-key']);
  if (cert && key) {
    tls.cert = cert;
    tls.key = key;
  }
  let authorization: () => string | undefined = () => undefined;
  if (typeof user['token'] === 'string') {
    const header = `Bearer ${user['token']}`;
    authorization = () => header;
  } else if (typeof user['tokenFile'] === 'string') {
    const abs = isAbsolute(user['tokenFile']) ? user['tokenFile'] : resolve(base, user['tokenFile']);
    const token = tokenFromFile(abs);
    token();
    authorization = () => `Bearer ${token()}`;
  }
  const how = cert ? 'client certificate' : authorization() ? 'bearer token' : 'no credential';
  return { target, agent: agentFor(target, tls), authorization, describe: `kubeconfig ${path} context "${ctxName}" (${target.origin}, ${how})` };
}
