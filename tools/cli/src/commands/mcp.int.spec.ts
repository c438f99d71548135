import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { z } from 'zod';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { ReadBuffer, serializeMessage } from '@modelcontextprotocol/sdk/shared/stdio.js';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import type { JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';
import type { Io } from '../command';
import { commands } from '.';
import { run } from '../run';

/**
 * The stdio bridge against a real MCP server of the official SDK over Streamable HTTP (stateless,
 * like Chaperone's), which answers only requests with the expected bearer token and tells each
 * tool call which token it came with. The Chaperone MCP service itself is driven through the
 * bridge in test/e2e/mcp.e2e.spec.ts.
 */
let server: Server;
let url = '';
const accepted = new Set<string>();
const protocolHeaders: (string | undefined)[] = [];
const dir = mkdtempSync(join(tmpdir(), 'cli-mcp-'));

beforeAll(async () => {
  server = createServer((req: IncomingMessage, res) => {
    protocolHeaders.push(req.headers['mcp-protocol-version'] as string | undefined);
    const token = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
    if (!token || !accepted.has(token)) {
      res.writeHead(401, { 'content-type': 'application/json', 'www-authenticate': 'Bearer resource_metadata="x"' });
      res.end(JSON.stringify({ kind: 'Status', code: 401, reason: 'Unauthorized', message: 'no valid token' }));
      return;
    }
    const mcp = new McpServer({ name: 'stand-in', version: '1.0.0' });
    mcp.registerTool('whoami', { inputSchema: { suffix: z.string() } }, async ({ suffix }) => ({ content: [{ type: 'text', text: `${token}${suffix}` }] }));
    const transport = new StreamableHTTPServerTransport({ sessionIdGenerator: undefined });
    res.on('close', () => void transport.close());
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      void mcp.connect(transport).then(() => transport.handleRequest(req, res, body ? JSON.parse(body) : undefined));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/mcp`;
});

afterAll(async () => {
  await new Promise((r) => server.close(r));
  rmSync(dir, { recursive: true, force: true });
});

/** The client's end of the pipes the bridge reads and writes, as an SDK transport. */
class PipeTransport implements Transport {
  onmessage?: (m: JSONRPCMessage) => void;
  onclose?: () => void;
  onerror?: (e: Error) => void;
  private readonly buffer = new ReadBuffer();

  constructor(
    private readonly toBridge: PassThrough,
    fromBridge: PassThrough,
  ) {
    fromBridge.on('data', (c: Buffer) => {
      this.buffer.append(c);
      for (let m = this.buffer.readMessage(); m; m = this.buffer.readMessage()) this.onmessage?.(m);
    });
  }

  async start(): Promise<void> {}

  async send(message: JSONRPCMessage): Promise<void> {
    this.toBridge.write(serializeMessage(message));
  }

  async close(): Promise<void> {
    this.toBridge.end();
    this.onclose?.();
  }
}

function bridgeWith(env: Record<string, string>, extraArgs: string[] = []) {
  const input = new PassThrough();
  const output = new PassThrough();
  let stderr = '';
  const io: Io = { out: () => undefined, err: (t) => void (stderr += t), env, streams: { input, output } };
  const exited = run(['mcp', '--stdio', '--server', url, ...extraArgs], io, commands);
  return { transport: new PipeTransport(input, output), exited, stderr: () => stderr };
}

describe('chaperone mcp --stdio', () => {
  it('carries a session both ways with the token from the environment, and announces the protocol version', async () => {
    accepted.add('env-token');
    const b = bridgeWith({ CHAPERONE_TOKEN: 'env-token' });
    const client = new Client({ name: 'stdio-client', version: '0' });
    await client.connect(b.transport);
    expect(client.getServerVersion()).toMatchObject({ name: 'stand-in' });
    const tools = await client.listTools();
    expect(tools.tools.map((t) => t.name)).toEqual(['whoami']);
    protocolHeaders.length = 0;
    const result = await client.callTool({ name: 'whoami', arguments: { suffix: '!' } });
    expect(result.content).toEqual([{ type: 'text', text: 'env-token!' }]);
    expect(protocolHeaders.at(-1)).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    await client.close();
    await expect(b.exited).resolves.toBe(0);
  });

  it('reads the token file for every request, so a rotated token is used at once', async () => {
    const file = join(dir, 'token');
    writeFileSync(file, 'first-token\n');
    accepted.add('first-token');
    accepted.add('second-token');
    const b = bridgeWith({}, ['--token-file', file]);
    const client = new Client({ name: 'stdio-client', version: '0' });
    await client.connect(b.transport);
    expect((await client.callTool({ name: 'whoami', arguments: { suffix: '' } })).content).toEqual([{ type: 'text', text: 'first-token' }]);
    writeFileSync(file, 'second-token\n');
    expect((await client.callTool({ name: 'whoami', arguments: { suffix: '' } })).content).toEqual([{ type: 'text', text: 'second-token' }]);
    await client.close();
    await b.exited;
  });

  it('answers the client with a JSON-RPC error when the server refuses the token, and never prints the token', async () => {
    const b = bridgeWith({ CHAPERONE_TOKEN: 'refused-token' });
    const client = new Client({ name: 'stdio-client', version: '0' });
    await expect(client.connect(b.transport)).rejects.toThrow(/401|did not take the message/);
    expect(b.stderr()).toMatch(/did not take the message/);
    expect(b.stderr()).not.toContain('refused-token');
    await client.close();
    await b.exited;
  });

  it('is bad usage without --stdio or without a token', async () => {
    const io: Io = { out: () => undefined, err: () => undefined, env: {} };
    expect(await run(['mcp'], io, commands)).toBe(2);
    expect(await run(['mcp', '--stdio'], io, commands)).toBe(2);
  });
});
