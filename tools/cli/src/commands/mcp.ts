import { readFileSync } from 'node:fs';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { isJSONRPCRequest, isJSONRPCResultResponse, type JSONRPCMessage, type RequestId } from '@modelcontextprotocol/sdk/types.js';
import { option, rejectUnknownOptions, type ParsedArgs } from '../args';
import { UsageError, type Command, type Io } from '../command';

const DEFAULT_SERVER = 'http://127.0.0.1:9406/mcp';

const USAGE = `usage: chaperone mcp --stdio [--server <url>] [--token-file <path>]

Bridge an MCP client that only speaks stdio (it starts this command) to Chaperone's MCP server over
Streamable HTTP. Every message is passed through unchanged; the agent's bearer token is added to
each HTTP request. Standard output carries MCP messages only; diagnostics go to standard error.
Runs until the client closes standard input.

  --server      the MCP endpoint (env CHAPERONE_MCP_URL; ${DEFAULT_SERVER})
  --token-file  a file holding the agent's OIDC token, read again for every request so a rotated
                token is picked up (env CHAPERONE_TOKEN_FILE); else the token itself in the env
                CHAPERONE_TOKEN. There is no --token: a command-line argument is visible to others.`;

/** The JSON-RPC error code for a failure of the transport (the SDK's ErrorCode.ConnectionClosed family). */
const BRIDGE_ERROR = -32000;

/** The agent's token, from the file (re-read each time) or the environment; never printed. */
function tokenSource(args: ParsedArgs, io: Io): () => string {
  const file = option(args, 'token-file', { io: io.env, name: 'CHAPERONE_TOKEN_FILE' });
  if (file) {
    const read = () => {
      try {
        return readFileSync(file, 'utf8').trim();
      } catch (e) {
        throw new UsageError(`cannot read the token file ${file} (${(e as NodeJS.ErrnoException).code ?? 'error'})`);
      }
    };
    if (!read()) throw new UsageError(`the token file ${file} is empty`);
    return read;
  }
  const token = io.env['CHAPERONE_TOKEN']?.trim();
  if (!token) throw new UsageError('the agent\'s token is needed: --token-file, CHAPERONE_TOKEN_FILE or CHAPERONE_TOKEN');
  return () => token;
}

function serverUrl(args: ParsedArgs, io: Io): URL {
  const raw = option(args, 'server', { io: io.env, name: 'CHAPERONE_MCP_URL' }, DEFAULT_SERVER) ?? DEFAULT_SERVER;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new UsageError(`--server is not a URL: ${JSON.stringify(raw.slice(0, 80))}`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new UsageError('--server must be an http(s) URL');
  return url;
}

/**
 * stdio ⇄ Streamable HTTP, message for message. A request the HTTP side cannot deliver (no answer,
 * 401) is answered to the stdio client with a JSON-RPC error, so it never waits for nothing.
 */
export async function bridge(io: Io, server: URL, token: () => string): Promise<number> {
  const streams = io.streams;
  if (!streams) throw new Error('chaperone mcp --stdio needs standard input and output');
  const withToken: typeof fetch = (input, init) => {
    const headers = new Headers(init?.headers);
    headers.set('authorization', `Bearer ${token()}`);
    return fetch(input, { ...init, headers });
  };
  const http = new StreamableHTTPClientTransport(server, { fetch: withToken });
  const stdio = new StdioServerTransport(streams.input, streams.output);
  const initializing = new Set<RequestId>();

  const failed = (id: RequestId, message: string): JSONRPCMessage => ({ jsonrpc: '2.0', id, error: { code: BRIDGE_ERROR, message } });
  stdio.onmessage = (message) => {
    if (isJSONRPCRequest(message) && message.method === 'initialize') initializing.add(message.id);
    http.send(message).catch((e: unknown) => {
      const why = `chaperone mcp: ${server.origin} did not take the message: ${e instanceof Error ? e.message : String(e)}`;
      io.err(`${why}\n`);
      if (isJSONRPCRequest(message)) void stdio.send(failed(message.id, why)).catch(() => undefined);
    });
  };
  http.onmessage = (message) => {
    // The HTTP side must announce the negotiated version on every later request (MCP-Protocol-Version).
    if (isJSONRPCResultResponse(message) && initializing.delete(message.id)) {
      const version = (message.result as { protocolVersion?: unknown }).protocolVersion;
      if (typeof version === 'string') http.setProtocolVersion(version);
    }
    void stdio.send(message).catch((e: unknown) => io.err(`chaperone mcp: cannot write to the client: ${e instanceof Error ? e.message : String(e)}\n`));
  };
  http.onerror = (e) => io.err(`chaperone mcp: ${e.message}\n`);
  stdio.onerror = (e) => io.err(`chaperone mcp: ${e.message}\n`);

  await http.start();
  await stdio.start();
  await new Promise<void>((resolve) => {
    streams.input.once('end', resolve);
    streams.input.once('close', resolve);
  });
  await stdio.close();
  await http.close();
  return 0;
}

export const mcpCommand: Command = {
  name: 'mcp',
  summary: 'bridge a stdio MCP client (Claude Desktop, Cursor, …) to Chaperone\'s MCP server',
  usage: USAGE,
  async run(args: ParsedArgs, io: Io): Promise<number> {
    rejectUnknownOptions(args, ['stdio', 'server', 'token-file']);
    if (args.options.get('stdio') !== true) throw new UsageError('say --stdio: the bridge speaks MCP on standard input and output');
    if (args.positional.length) throw new UsageError(`unexpected argument ${JSON.stringify(args.positional[0]?.slice(0, 40))}`);
    return bridge(io, serverUrl(args, io), tokenSource(args, io));
  },
};
