import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { INestApplication } from '@nestjs/common';
import { connect, type NatsConnection } from 'nats';
import { busSubjects, type BusSubjects } from '@chaperone/contracts';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { createLocalIssuer, type LocalIssuer } from '@chaperone/auth';
import { loadConfig } from '@chaperone/config';
import { bootstrapService } from '@chaperone/service-runtime';
import { serviceHealthContract } from '@chaperone/service-runtime/testing';
import { mcpSettings } from './config';
import { McpModule } from './mcp.module';

const ISSUER = 'https://issuer.mcp-int.test';
const dir = mkdtempSync(join(tmpdir(), 'mcp-int-'));
const natsUrl = process.env['NATS_URL'] ?? 'nats://127.0.0.1:4222';

function config(env: Record<string, string> = {}) {
  return loadConfig(mcpSettings, {
    CHAPERONE_NATS_URL: natsUrl,
    CHAPERONE_OIDC_ISSUER: ISSUER,
    CHAPERONE_OIDC_JWKS_FILE: join(dir, 'jwks.json'),
    // Nothing listens there: these tests never reach a Kubernetes call.
    CHAPERONE_MCP_INGRESS_URL: 'https://127.0.0.1:9',
    ...env,
  });
}

let issuer: LocalIssuer;

beforeAll(async () => {
  issuer = await createLocalIssuer({ issuer: ISSUER, audience: 'chaperone' });
  issuer.writeJwksFile(join(dir, 'jwks.json'));
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

serviceHealthContract(
  'mcp',
  (runtime) => McpModule.forRoot(config({ CHAPERONE_BUS_PREFIX: runtime.busPrefix ?? 'chaperone' })),
  deleteEventsStream,
);

/** The events stream the service made under a test prefix. */
async function deleteEventsStream(nc: NatsConnection, subjects: BusSubjects): Promise<void> {
  await (await nc.jetstreamManager()).streams.delete(subjects.eventsStream).catch(() => false);
}

describe('the MCP door as an OAuth resource server (real NATS, the SDK client)', () => {
  let app: INestApplication;
  let base = '';

  beforeAll(async () => {
    app = await bootstrapService({
      service: 'mcp',
      module: McpModule.forRoot(config({ CHAPERONE_BUS_PREFIX: `mcp-int-${process.pid}` })),
      healthHost: '127.0.0.1',
      healthPort: 0,
      jsonLogs: true,
      quiet: true,
      bodyLimit: '4mb',
    });
    base = (await app.getUrl()).replace('[::1]', '127.0.0.1');
  });

  afterAll(async () => {
    await app.close();
    const nc = await connect({ servers: [process.env['NATS_URL'] ?? 'nats://127.0.0.1:4222'] });
    await deleteEventsStream(nc, busSubjects(`mcp-int-${process.pid}`));
    await nc.close();
  });

  const initialize = (headers: Record<string, string>) =>
    fetch(`${base}/mcp`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', ...headers },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 't', version: '0' } } }),
    });

  it('serves RFC 9728 metadata naming the OIDC issuer', async () => {
    for (const path of ['/.well-known/oauth-protected-resource/mcp', '/.well-known/oauth-protected-resource']) {
      const res = await fetch(`${base}${path}`);
      expect(res.status).toBe(200);
      expect(await res.json()).toEqual(expect.objectContaining({ resource: `${base}/mcp`, authorization_servers: [ISSUER], bearer_methods_supported: ['header'] }));
    }
  });

  it('answers a call without a token with 401, a Status, and the metadata URL in WWW-Authenticate', async () => {
    const res = await initialize({});
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toBe(`Bearer resource_metadata="${base}/.well-known/oauth-protected-resource/mcp"`);
    expect(await res.json()).toMatchObject({ kind: 'Status', reason: 'Unauthorized', code: 401 });
  });

  it('refuses a token of another issuer with invalid_token, never echoing the token', async () => {
    const stranger = await createLocalIssuer({ issuer: 'https://someone-else.test', audience: 'chaperone' });
    const token = await stranger.sign({ sub: 'agent-x', groups: ['agents'] });
    const res = await initialize({ authorization: `Bearer ${token}` });
    expect(res.status).toBe(401);
    const challenge = res.headers.get('www-authenticate') ?? '';
    expect(challenge).toMatch(/^Bearer error="invalid_token", error_description="[^"]+", resource_metadata="/);
    const body = await res.text();
    for (const part of token.split('.')) {
      expect(body).not.toContain(part);
      expect(challenge).not.toContain(part);
    }
  });

  it('refuses a browser origin it was not told to trust (DNS rebinding)', async () => {
    const token = await issuer.sign({ sub: 'agent-web', agent: 'web', groups: ['agents'] });
    const res = await initialize({ authorization: `Bearer ${token}`, origin: 'http://evil.example' });
    expect(res.status).toBe(403);
  });

  it('lets the SDK client in with a token of the issuer and lists annotated tools', async () => {
    const token = await issuer.sign({ sub: 'agent-lister', agent: 'lister', groups: ['agents'] });
    const client = new Client({ name: 'int-test', version: '0' });
    await client.connect(new StreamableHTTPClientTransport(new URL(`${base}/mcp`), { requestInit: { headers: { authorization: `Bearer ${token}` } } }));
    try {
      expect(client.getServerVersion()).toMatchObject({ name: 'chaperone' });
      const { tools } = await client.listTools();
      const byName = new Map(tools.map((t) => [t.name, t]));
      expect([...byName.keys()].sort()).toEqual(
        ['apply_manifest', 'approval_status', 'delete_resource', 'describe_resource', 'exec_command', 'explain_permissions', 'get_logs', 'get_resource', 'list_events', 'list_resources', 'rollout_restart', 'scale', 'wait_for_approval'].sort(),
      );
      expect(byName.get('get_resource')?.annotations).toMatchObject({ readOnlyHint: true, destructiveHint: false, idempotentHint: true });
      expect(byName.get('delete_resource')?.annotations).toMatchObject({ readOnlyHint: false, destructiveHint: true, idempotentHint: true });
      expect(byName.get('rollout_restart')?.annotations).toMatchObject({ readOnlyHint: false, destructiveHint: true, idempotentHint: false });
      expect(byName.get('get_resource')?.inputSchema).toMatchObject({ required: expect.arrayContaining(['resource', 'name']) });
    } finally {
      await client.close();
    }
  });

  it('answers a tool call with a Status error when the ingress cannot be reached, not a protocol failure', async () => {
    const token = await issuer.sign({ sub: 'agent-lost', agent: 'lost', groups: ['agents'] });
    const client = new Client({ name: 'int-test', version: '0' });
    await client.connect(new StreamableHTTPClientTransport(new URL(`${base}/mcp`), { requestInit: { headers: { authorization: `Bearer ${token}` } } }));
    try {
      const result = await client.callTool({ name: 'list_resources', arguments: { resource: 'pods' } });
      expect(result.isError).toBe(true);
      expect(result.structuredContent).toMatchObject({ kind: 'Status', reason: 'ServiceUnavailable', code: 503 });
    } finally {
      await client.close();
    }
  });

  it('says GET and DELETE are not served (stateless), once the caller is known', async () => {
    const token = await issuer.sign({ sub: 'agent-get', agent: 'get', groups: ['agents'] });
    const res = await fetch(`${base}/mcp`, { headers: { authorization: `Bearer ${token}`, accept: 'text/event-stream' } });
    expect(res.status).toBe(405);
    expect(res.headers.get('allow')).toBe('POST');
  });
});
