import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { callApi } from './api-client';
import { requiredOption } from './args';
import { UsageError, type Command, type Io } from './command';
import { run } from './run';

function capture(env: Record<string, string> = {}): Io & { stdout: string; stderr: string } {
  const io = {
    stdout: '',
    stderr: '',
    env,
    out: (t: string) => void (io.stdout += t),
    err: (t: string) => void (io.stderr += t),
  };
  return io;
}

const echo: Command = {
  name: 'echo',
  summary: 'prints its words',
  usage: 'usage: chaperone echo <words...> [--upper]',
  async run(args, io) {
    if (args.positional.length === 0) throw new UsageError('nothing to echo');
    const text = args.positional.join(' ');
    io.out(`${args.options.get('json') ? JSON.stringify(text) : text}\n`);
    return 0;
  },
};

describe('run', () => {
  it('dispatches to the named command with its arguments', async () => {
    const io = capture();
    await expect(run(['echo', 'a', 'b', '--json'], io, [echo])).resolves.toBe(0);
    expect(io.stdout).toBe('"a b"\n');
  });

  it('lists commands for help and prints one usage for help <command>', async () => {
    const io = capture();
    expect(await run([], io, [echo])).toBe(0);
    expect(io.stdout).toContain('echo  prints its words');
    const one = capture();
    expect(await run(['help', 'echo'], one, [echo])).toBe(0);
    expect(one.stdout).toBe(`${echo.usage}\n`);
  });

  it('exits 2 with the usage on bad usage and on an unknown command', async () => {
    const io = capture();
    expect(await run(['echo'], io, [echo])).toBe(2);
    expect(io.stderr).toContain('chaperone echo: nothing to echo');
    expect(io.stderr).toContain(echo.usage);
    const unknown = capture();
    expect(await run(['ehco'], unknown, [echo])).toBe(2);
    expect(unknown.stderr).toContain('unknown command "ehco"');
  });
});

describe('callApi', () => {
  let server: Server;
  let base = '';
  const seen: { auth?: string; body?: string }[] = [];
  beforeAll(async () => {
    server = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        seen.push({ auth: req.headers.authorization, body });
        if (req.url === '/ok') {
          res.setHeader('content-type', 'application/json');
          res.end(JSON.stringify({ hello: 'world' }));
        } else if (req.url === '/conflict') {
          res.statusCode = 409;
          res.end(JSON.stringify({ kind: 'Status', message: 'approval already decided' }));
        } else if (req.url === '/redirect') {
          res.statusCode = 302;
          res.setHeader('location', '/ok');
          res.end();
        } else {
          res.statusCode = 200;
          res.end('not json');
        }
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  it('sends the bearer token and JSON body and parses the JSON answer', async () => {
    await expect(callApi({ server: base, path: '/ok', method: 'POST', token: 'tok-123', body: { reason: 'r' } })).resolves.toEqual({ hello: 'world' });
    expect(seen.at(-1)).toEqual({ auth: 'Bearer tok-123', body: '{"reason":"r"}' });
  });

  it("reports the server's message and status, never the token", async () => {
    const err = await callApi({ server: base, path: '/conflict', token: 'secret-token' }).catch((e: Error) => e);
    expect(String(err)).toContain('409');
    expect(String(err)).toContain('approval already decided');
    expect(String(err)).not.toContain('secret-token');
  });

  it('does not follow redirects, and refuses a non-JSON answer', async () => {
    await expect(callApi({ server: base, path: '/redirect' })).rejects.toThrow(/redirect \(302\), which is never followed/);
    await expect(callApi({ server: base, path: '/text' })).rejects.toThrow(/not JSON/);
    await expect(callApi({ server: base, path: '/text', accept: 'text' })).resolves.toBe('not json');
  });

  it('names an unreachable server', async () => {
    await expect(callApi({ server: 'http://127.0.0.1:1', path: '/x' })).rejects.toThrow(/cannot reach http:\/\/127.0.0.1:1/);
  });
});

describe('requiredOption inside a command', () => {
  it('turns a missing token into exit 2 naming the variable', async () => {
    const needsToken: Command = { ...echo, name: 'needs', run: async (a, io) => (requiredOption(a, 'token', { io: io.env, name: 'CHAPERONE_TOKEN' }), 0) };
    const io = capture();
    expect(await run(['needs'], io, [needsToken])).toBe(2);
    expect(io.stderr).toContain('--token (or CHAPERONE_TOKEN) is required');
  });
});
