import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { INestApplication } from '@nestjs/common';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { NatsConnection, Subscription } from 'nats';
import { WebSocketServer, type WebSocket } from 'ws';
import { createLocalIssuer, type LocalIssuer } from '@chaperone/auth';
import { connectBus } from '@chaperone/bus';
import { loadConfig } from '@chaperone/config';
import { ApprovalHeaders, busSubjects, Headers, type McpToolCalled, type ResourceRule } from '@chaperone/contracts';
import { bootstrapService } from '@chaperone/service-runtime';
import { mcpSettings } from './config';
import { McpModule } from './mcp.module';

/**
 * exec_command and the filtered tools/list, driven by the SDK's own client against the MCP service
 * (real NATS for its evidence). The ingress is a stand-in on a local port that answers as the real
 * one does on the wire: legacy discovery, the rules review, and exec as a v5.channel.k8s.io
 * WebSocket (its policy refusals and approval tickets as the ingress writes them). The same tools
 * through the real ingress, policy and test API server are in test/e2e/mcp.e2e.spec.ts.
 */
const ISSUER = 'https://issuer.mcp-exec-int.test';
const dir = mkdtempSync(join(tmpdir(), 'mcp-exec-int-'));
const natsUrl = process.env['NATS_URL'] ?? 'nats://127.0.0.1:4222';
const subjects = busSubjects(`mcp-exec-${randomUUID().slice(0, 8)}`);

interface Profile {
  /** What the rules review answers (with the built-in self-review rule first), or a failure. */
  rules: ResourceRule[] | 'unavailable';
}

const SELF_REVIEW: ResourceRule = { verbs: ['create'], apiGroups: ['authorization.k8s.io'], resources: ['selfsubjectaccessreviews', 'selfsubjectrulesreviews'] };
const status = (code: number, reason: string, message: string) => JSON.stringify({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason, code });

/** The ingress's side of the wire, for the MCP service. */
class StandInIngress {
  readonly profiles = new Map<string, Profile>();
  readonly reviews: { token: string; namespace: unknown }[] = [];
  readonly execs: { url: string; authorization: string; protocol: string; approvalMode?: string }[] = [];
  private seq = 0;
  private readonly server = http.createServer((req, res) => void this.serve(req, res));
  private readonly wss = new WebSocketServer({ noServer: true, handleProtocols: (offered) => (offered.has('v5.channel.k8s.io') ? 'v5.channel.k8s.io' : false) });

  async start(): Promise<string> {
    this.server.on('upgrade', (req: http.IncomingMessage, socket, head) => this.upgrade(req, socket as import('node:net').Socket, head));
    await new Promise<void>((r) => this.server.listen(0, '127.0.0.1', r));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    this.wss.close();
    this.server.closeAllConnections();
    await new Promise((r) => this.server.close(r));
  }

  private nextId(): string {
    return `stand-in-${++this.seq}`;
  }

  private async serve(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const reply = (code: number, body: unknown) => {
      res.writeHead(code, { 'content-type': 'application/json', [Headers.requestId]: this.nextId() });
      res.end(typeof body === 'string' ? body : JSON.stringify(body));
    };
    const token = (req.headers.authorization ?? '').replace(/^Bearer /, '');
    switch (`${req.method} ${req.url}`) {
      case 'GET /api':
        return reply(200, { kind: 'APIVersions', versions: ['v1'] });
      case 'GET /apis':
        return reply(200, { kind: 'APIGroupList', apiVersion: 'v1', groups: [] });
      case 'GET /api/v1':
        return reply(200, {
          kind: 'APIResourceList',
          groupVersion: 'v1',
          resources: [
            { name: 'pods', singularName: 'pod', namespaced: true, kind: 'Pod', verbs: ['get', 'list', 'delete'], shortNames: ['po'] },
            { name: 'pods/exec', namespaced: true, kind: 'PodExecOptions', verbs: ['create', 'get'] },
            { name: 'pods/log', namespaced: true, kind: 'Pod', verbs: ['get'] },
          ],
        });
      case 'POST /apis/authorization.k8s.io/v1/selfsubjectrulesreviews': {
        const spec = (JSON.parse(Buffer.concat(chunks).toString('utf8')) as { spec?: { namespace?: unknown } }).spec;
        this.reviews.push({ token, namespace: spec?.namespace });
        const rules = this.profiles.get(token)?.rules ?? [];
        if (rules === 'unavailable') return reply(503, status(503, 'ServiceUnavailable', 'the policy service did not answer'));
        return reply(201, { kind: 'SelfSubjectRulesReview', apiVersion: 'authorization.k8s.io/v1', spec, status: { resourceRules: [SELF_REVIEW, ...rules], nonResourceRules: [], incomplete: false } });
      }
      default:
        return reply(404, status(404, 'NotFound', `the stand-in serves no ${req.method} ${req.url}`));
    }
  }

  private upgrade(req: http.IncomingMessage, socket: import('node:net').Socket, head: Buffer): void {
    const url = new URL(req.url ?? '/', 'http://stand-in');
    const pod = /^\/api\/v1\/namespaces\/default\/pods\/([^/]+)\/exec$/.exec(url.pathname)?.[1];
    const approvalMode = req.headers[ApprovalHeaders.mode] as string | undefined;
    this.execs.push({ url: req.url ?? '', authorization: req.headers.authorization ?? '', protocol: String(req.headers['sec-websocket-protocol'] ?? ''), ...(approvalMode ? { approvalMode } : {}) });
    const refuse = (code: number, text: string, body: string, headers: Record<string, string> = {}) => {
      const lines = Object.entries({ 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)), [Headers.requestId]: this.nextId(), ...headers }).map(([k, v]) => `${k}: ${v}`);
      socket.end(`HTTP/1.1 ${code} ${text}\r\n${lines.join('\r\n')}\r\n\r\n${body}`);
    };
    if (!pod) return refuse(404, 'Not Found', status(404, 'NotFound', 'no such exec'));
    if (pod === 'locked-0') {
      return refuse(403, 'Forbidden', status(403, 'Forbidden', 'chaperone policy denied this request (rule "no-exec-in-locked"): locked pods are for humans only'));
    }
    if (pod === 'guarded-0' && approvalMode === 'ticket') {
      return refuse(403, 'Forbidden', status(403, 'Forbidden', 'this request needs a human approval (rule "exec-needs-a-human")'), {
        [ApprovalHeaders.id]: 'appr-exec-1',
        [ApprovalHeaders.url]: 'https://chaperone.example/approvals/appr-exec-1',
      });
    }
    const id = this.nextId();
    this.wss.once('headers', (headers) => headers.push(`${Headers.requestId}: ${id}`));
    this.wss.handleUpgrade(req, socket, head, (ws) => void run(ws, url.searchParams.getAll('command')));
  }
}

/** A pretend container: a few commands, written on the channels as the kubelet does. */
async function run(ws: WebSocket, argv: string[]): Promise<void> {
  const send = (channel: number, data: string) => new Promise<void>((r) => ws.send(Buffer.concat([Buffer.of(channel), Buffer.from(data)]), () => r()));
  const exit = async (code: number) => {
    await send(
      3,
      code === 0
        ? JSON.stringify({ metadata: {}, status: 'Success' })
        : JSON.stringify({ metadata: {}, status: 'Failure', message: `command terminated with non-zero exit code: ${code}`, reason: 'NonZeroExitCode', details: { causes: [{ reason: 'ExitCode', message: String(code) }] } }),
    );
    ws.close(1000);
  };
  const [program, ...args] = argv;
  if (program === 'echo') {
    await send(1, `${args.join(' ')}\n`);
    return exit(0);
  }
  if (program === 'fail') {
    await send(1, 'trying\n');
    await send(2, 'something broke\n');
    return exit(Number(args[0]));
  }
  if (program === 'flood') {
    for (let left = Number(args[0]); left > 0; left -= 100) await send(1, `${'x'.repeat(Math.min(100, left) - 1)}\n`);
    return exit(0);
  }
  if (program === 'sleep') return; // never ends: the tool's timeout closes it
  await send(3, JSON.stringify({ metadata: {}, status: 'Failure', message: `exec: "${program}": executable file not found in $PATH`, reason: 'InternalError' }));
  ws.close(1000);
}

const ingress = new StandInIngress();
let issuer: LocalIssuer;
let app: INestApplication;
let base = '';
let nc: NatsConnection;
let sub: Subscription;
const toolCalls: McpToolCalled[] = [];

beforeAll(async () => {
  issuer = await createLocalIssuer({ issuer: ISSUER, audience: 'chaperone' });
  issuer.writeJwksFile(join(dir, 'jwks.json'));
  const ingressUrl = await ingress.start();
  nc = await connectBus([natsUrl], 'mcp-exec-int');
  sub = nc.subscribe(subjects.eventsAll);
  void (async () => {
    for await (const m of sub) {
      const body = JSON.parse(new TextDecoder().decode(m.data)) as unknown;
      for (const e of Array.isArray(body) ? body : [body]) if ((e as { type?: string }).type === 'McpToolCalled') toolCalls.push(e as McpToolCalled);
    }
  })();
  app = await bootstrapService({
    service: 'mcp',
    module: McpModule.forRoot(
      loadConfig(mcpSettings, {
        CHAPERONE_NATS_URL: natsUrl,
        CHAPERONE_BUS_PREFIX: subjects.prefix,
        CHAPERONE_OIDC_ISSUER: ISSUER,
        CHAPERONE_OIDC_JWKS_FILE: join(dir, 'jwks.json'),
        CHAPERONE_MCP_INGRESS_URL: ingressUrl,
        CHAPERONE_MCP_APPROVAL_URL: ingressUrl,
        CHAPERONE_MCP_MAX_OUTPUT_CHARS: '1000',
      }),
    ),
    healthHost: '127.0.0.1',
    healthPort: 0,
    jsonLogs: true,
    quiet: true,
  });
  base = (await app.getUrl()).replace('[::1]', '127.0.0.1');
}, 60_000);

afterAll(async () => {
  await app?.close();
  await ingress.stop();
  sub?.unsubscribe();
  const jsm = await nc.jetstreamManager();
  await jsm.streams.delete(subjects.eventsStream).catch(() => false);
  await nc.drain();
  rmSync(dir, { recursive: true, force: true });
});

const clients: Client[] = [];
afterEach(async () => {
  for (const c of clients.splice(0)) await c.close();
});

async function connect(agent: string, profile: Profile = { rules: [{ verbs: ['*'], apiGroups: ['*'], resources: ['*'] }] }): Promise<{ client: Client; token: string }> {
  const token = await issuer.sign({ sub: `agent-${agent}`, agent, groups: ['agents'] });
  ingress.profiles.set(token, profile);
  const client = new Client({ name: `int-${agent}`, version: '0' });
  await client.connect(new StreamableHTTPClientTransport(new URL(`${base}/mcp`), { requestInit: { headers: { authorization: `Bearer ${token}` } } }));
  clients.push(client);
  return { client, token };
}

const textOf = (r: Awaited<ReturnType<Client['callTool']>>): string => (r.content as { text?: string }[]).map((c) => c.text ?? '').join('\n');

async function toolCallOf(agent: string, tool: string): Promise<McpToolCalled> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const found = toolCalls.find((e) => e.identity?.agent === agent && e.payload.tool === tool);
    if (found) return found;
    if (Date.now() > deadline) throw new Error(`no McpToolCalled for ${agent}/${tool}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('exec_command through the ingress', () => {
  it('runs a command over v5.channel.k8s.io with the caller\'s token and gives its output and exit code 0', async () => {
    const { client, token } = await connect('exec-ok');
    const result = await client.callTool({ name: 'exec_command', arguments: { pod: 'app-0', container: 'main', command: ['echo', 'hello', 'world'] } });
    expect(result.isError).toBeFalsy();
    expect(textOf(result)).toBe('exit code 0\nstdout:\nhello world\nstderr:\n(empty)');
    expect(result.structuredContent).toMatchObject({ status: 'done', exitCode: 0, stdout: 'hello world\n', stderr: '', cut: false });
    const exec = ingress.execs.at(-1);
    expect(exec).toMatchObject({ authorization: `Bearer ${token}`, protocol: 'v5.channel.k8s.io', approvalMode: 'ticket' });
    expect(exec?.url).toBe('/api/v1/namespaces/default/pods/app-0/exec?command=echo&command=hello&command=world&container=main&stdout=true&stderr=true');

    const event = await toolCallOf('exec-ok', 'exec_command');
    const requestId = (result.structuredContent as { requestId: string }).requestId;
    expect(event.payload).toMatchObject({ outcome: 'ok', arguments: { pod: 'app-0', container: 'main' } });
    expect(event.payload.requestIds).toContain(requestId);
    // The command is kept as a digest only: it may carry a secret.
    expect(String(event.payload.arguments['command'])).toMatch(/^<sha256:[0-9a-f]{64}, \d+ bytes>$/);
    expect(JSON.stringify(event)).not.toContain('hello');
  });

  it('reports a non-zero exit code from the status channel as an error result, with stdout and stderr', async () => {
    const { client } = await connect('exec-fails');
    const result = await client.callTool({ name: 'exec_command', arguments: { pod: 'app-0', command: ['fail', '3'] } });
    expect(result.isError).toBe(true);
    expect(textOf(result)).toBe('command terminated with exit code 3\nstdout:\ntrying\nstderr:\nsomething broke');
    expect(result.structuredContent).toMatchObject({ status: 'failed', exitCode: 3, stderr: 'something broke\n' });
    const event = await toolCallOf('exec-fails', 'exec_command');
    expect(event.payload).toMatchObject({ outcome: 'error', message: 'command terminated with exit code 3' });
  });

  it('says when the command could not run at all (a failure without an exit code)', async () => {
    const { client } = await connect('exec-missing');
    const result = await client.callTool({ name: 'exec_command', arguments: { pod: 'app-0', command: ['nope'] } });
    expect(result.isError).toBe(true);
    expect(textOf(result)).toMatch(/^the command failed: exec: "nope": executable file not found/);
  });

  it('cuts output past the limit with a note, and still reads the exit code', async () => {
    const { client } = await connect('exec-flood');
    const result = await client.callTool({ name: 'exec_command', arguments: { pod: 'app-0', command: ['flood', '5000'] } });
    expect(result.isError).toBeFalsy();
    expect(textOf(result)).toContain('[output cut: 1000 of 5000 bytes shown.');
    expect(result.structuredContent).toMatchObject({ exitCode: 0, stdoutBytes: 5000, cut: true });
    expect((result.structuredContent as { stdout: string }).stdout).toHaveLength(1000);
  });

  it('closes the session when the command outlives its timeout', async () => {
    const { client } = await connect('exec-slow');
    const result = await client.callTool({ name: 'exec_command', arguments: { pod: 'app-0', command: ['sleep'], timeoutSeconds: 1 } });
    expect(result.isError).toBe(true);
    expect(textOf(result)).toMatch(/^the command did not finish within 1 s; Chaperone closed the session/);
    expect(result.structuredContent).toMatchObject({ status: 'timeout' });
  });

  it('refuses a denied exec with the rule\'s reason, and records it as refused', async () => {
    const { client } = await connect('exec-denied');
    const result = await client.callTool({ name: 'exec_command', arguments: { pod: 'locked-0', command: ['echo', 'x'] } });
    expect(result.isError).toBe(true);
    expect(textOf(result)).toBe('Error from server (Forbidden): chaperone policy denied this request (rule "no-exec-in-locked"): locked pods are for humans only');
    expect(result.structuredContent).toMatchObject({ kind: 'Status', code: 403, reason: 'Forbidden' });
    const event = await toolCallOf('exec-denied', 'exec_command');
    expect(event.payload.outcome).toBe('refused');
    expect(event.payload.requestIds.length).toBeGreaterThan(0);
  });

  it('answers an exec that needs approval with the structured "pending" result', async () => {
    const { client } = await connect('exec-guarded');
    const args = { pod: 'guarded-0', command: ['echo', 'x'] };
    const result = await client.callTool({ name: 'exec_command', arguments: args });
    expect(result.isError).toBeFalsy();
    expect(result.structuredContent).toMatchObject({ status: 'pending', approvalId: 'appr-exec-1', approvalUrl: 'https://chaperone.example/approvals/appr-exec-1', retry: { tool: 'exec_command', arguments: args } });
  });
});

describe('tools/list leaves out the tools an agent can never use', () => {
  const ALWAYS = ['approval_status', 'explain_permissions', 'wait_for_approval'];

  it('a read-only agent sees the read tools and the always-usable ones, no delete, exec or change', async () => {
    const { client, token } = await connect('narrow', { rules: [{ verbs: ['get', 'list'], apiGroups: [''], resources: ['pods'] }] });
    const names = (await client.listTools()).tools.map((t) => t.name).sort();
    expect(names).toEqual([...ALWAYS, 'describe_resource', 'get_resource', 'list_resources'].sort());
    expect(ingress.reviews.filter((r) => r.token === token)).toEqual([{ token, namespace: '*' }]);
    // Calls are not filtered: the policy answers them (here the stand-in's exec).
    expect((await client.callTool({ name: 'exec_command', arguments: { pod: 'app-0', command: ['echo', 'hi'] } })).isError).toBeFalsy();
  });

  it('an agent with exec and delete rules sees those tools; logs only with pods/log', async () => {
    const { client } = await connect('operator', {
      rules: [
        { verbs: ['create'], apiGroups: [''], resources: ['pods/exec'] },
        { verbs: ['delete'], apiGroups: [''], resources: ['pods'] },
        { verbs: ['get'], apiGroups: [''], resources: ['pods/log'] },
      ],
    });
    const names = (await client.listTools()).tools.map((t) => t.name).sort();
    expect(names).toEqual([...ALWAYS, 'delete_resource', 'describe_resource', 'exec_command', 'get_logs', 'get_resource'].sort());
    const exec = (await client.listTools()).tools.find((t) => t.name === 'exec_command');
    expect(exec?.annotations).toMatchObject({ readOnlyHint: false, destructiveHint: true, idempotentHint: false });
  });

  it('a broad agent sees every tool', async () => {
    const { client } = await connect('broad');
    expect((await client.listTools()).tools).toHaveLength(13);
  });

  it('asks once per caller within the cache\'s life', async () => {
    const { client, token } = await connect('cached', { rules: [{ verbs: ['list'], apiGroups: ['*'], resources: ['*'] }] });
    await client.listTools();
    await client.listTools();
    expect(ingress.reviews.filter((r) => r.token === token)).toHaveLength(1);
  });

  it('lists every tool when the rules cannot be read (the calls are still decided by the policy)', async () => {
    const { client } = await connect('unlucky', { rules: 'unavailable' });
    expect((await client.listTools()).tools).toHaveLength(13);
  });
});
