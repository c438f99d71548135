import WebSocket from 'ws';
import { startTestApiServer, TestApiServer } from '../index';

/**
 * The streaming subresources at the protocol level, with a WebSocket client speaking each
 * subprotocol as client-go and the kubelet's other clients do.
 */
const TOKEN = 'stream-token';
const POD = '/api/v1/namespaces/default/pods/web-7d4b9c8f5-abcde';

let server: TestApiServer;

beforeAll(async () => {
  server = await startTestApiServer({ bearerToken: TOKEN, logFollowIntervalMs: 50 });
});

afterAll(async () => {
  await server?.close();
});

interface Session {
  ws: WebSocket;
  protocol: string;
  /** Messages as received: [channel, payload]. */
  messages: [number, Buffer][];
  /** The text frames as sent (base64 protocols). */
  textFrames: string[];
  closed: Promise<number>;
}

function wsUrl(path: string): string {
  return server.url.replace(/^http/, 'ws') + path;
}

function open(path: string, protocols: string[]): Promise<Session> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(wsUrl(path), protocols, { headers: { Authorization: `Bearer ${TOKEN}` } });
    const messages: [number, Buffer][] = [];
    const textFrames: string[] = [];
    const closed = new Promise<number>((r) => ws.on('close', (code) => r(code)));
    ws.on('message', (data: Buffer, isBinary) => {
      if (isBinary) messages.push([data[0] ?? -1, data.subarray(1)]);
      else {
        textFrames.push(data.toString());
        messages.push([(data[0] ?? 0) - 48, Buffer.from(data.subarray(1).toString(), 'base64')]);
      }
    });
    ws.on('open', () => resolve({ ws, protocol: ws.protocol, messages, textFrames, closed }));
    ws.on('error', reject);
  });
}

function refused(path: string, protocols: string[], headers: Record<string, string> = { Authorization: `Bearer ${TOKEN}` }): Promise<{ status: number; body: unknown }> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(wsUrl(path), protocols, { headers });
    ws.on('unexpected-response', (_req, res) => {
      let body = '';
      res.on('data', (d: Buffer) => (body += d.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(body) }));
    });
    ws.on('open', () => reject(new Error('upgraded unexpectedly')));
    ws.on('error', () => undefined);
  });
}

const channel = (s: Session, n: number) => Buffer.concat(s.messages.filter(([c]) => c === n).map(([, d]) => d)).toString();
const execPath = (query: string) => `${POD}/exec?${query}`;

async function until(cond: () => boolean): Promise<void> {
  for (let i = 0; i < 400 && !cond(); i++) await new Promise((r) => setTimeout(r, 10));
}

describe('exec over v5.channel.k8s.io (the API server translator)', () => {
  it('is chosen whenever offered, signals readiness on stdout, then writes the Status and closes normally', async () => {
    const s = await open(execPath('command=echo&command=hi&stdout=true&stderr=true'), ['v4.channel.k8s.io', 'v5.channel.k8s.io']);
    expect(s.protocol).toBe('v5.channel.k8s.io');
    expect(await s.closed).toBe(1000);
    expect(s.messages[0]).toEqual([1, Buffer.alloc(0)]);
    expect(channel(s, 1)).toBe('hi\n');
    expect(JSON.parse(channel(s, 3))).toEqual({ metadata: {}, status: 'Success' });
  });

  it('half-closes stdin with the close signal, so cat ends', async () => {
    const s = await open(execPath('command=cat&stdin=true&stdout=true&stderr=true'), ['v5.channel.k8s.io']);
    s.ws.send(Buffer.concat([Buffer.of(0), Buffer.from('abc\n')]));
    s.ws.send(Buffer.from('def'));
    s.ws.send(Buffer.of(255, 0));
    await s.closed;
    expect(channel(s, 1)).toBe('abc\n');
    expect(JSON.parse(channel(s, 3))).toMatchObject({ status: 'Success' });
  });

  it('reports a non-zero exit as NonZeroExitCode with an ExitCode cause', async () => {
    const s = await open(execPath('command=sh&command=-c&command=exit+3&stdout=true&stderr=true'), ['v5.channel.k8s.io']);
    await s.closed;
    expect(JSON.parse(channel(s, 3))).toEqual({
      metadata: {},
      status: 'Failure',
      message: 'command terminated with non-zero exit code: command terminated with exit code 3',
      reason: 'NonZeroExitCode',
      details: { causes: [{ reason: 'ExitCode', message: '3' }] },
    });
  });

  it('reports a missing executable as an InternalError and an unknown one on stderr from sh', async () => {
    const missing = await open(execPath('command=nosuch&stdout=true&stderr=true'), ['v5.channel.k8s.io']);
    await missing.closed;
    expect(JSON.parse(channel(missing, 3))).toMatchObject({ status: 'Failure', reason: 'InternalError', code: 500, message: expect.stringContaining('exec: "nosuch": executable file not found in $PATH') });
    const viaShell = await open(execPath('command=sh&command=-c&command=nosuch&stdout=true&stderr=true'), ['v5.channel.k8s.io']);
    await viaShell.closed;
    expect(channel(viaShell, 2)).toBe('sh: nosuch: not found\n');
    expect(JSON.parse(channel(viaShell, 3))).toMatchObject({ reason: 'NonZeroExitCode', details: { causes: [{ reason: 'ExitCode', message: '127' }] } });
  });

  it('gives a TTY session the last size sent on the resize channel', async () => {
    const s = await open(execPath('command=sh&stdin=true&stdout=true&tty=true'), ['v5.channel.k8s.io']);
    s.ws.send(Buffer.concat([Buffer.of(4), Buffer.from('{"Width":100,"Height":30}\n{"Width":120,')]));
    s.ws.send(Buffer.concat([Buffer.of(4), Buffer.from('"Height":40}\n')]));
    await until(() => channel(s, 1).endsWith('/ # '));
    s.ws.send(Buffer.concat([Buffer.of(0), Buffer.from('stty size\r')]));
    await until(() => channel(s, 1).split('/ # ').length > 2);
    s.ws.send(Buffer.concat([Buffer.of(0), Buffer.from('exit 2\r')]));
    await s.closed;
    expect(channel(s, 1)).toBe('/ # stty size\r\n40 120\r\n/ # exit 2\r\n');
    expect(JSON.parse(channel(s, 3))).toMatchObject({ reason: 'NonZeroExitCode', details: { causes: [{ message: '2' }] } });
  });

  it('streams bulk output to the end (throughput figure printed, not asserted)', async () => {
    const size = 16 * 1024 * 1024;
    const started = process.hrtime.bigint();
    const s = await open(execPath(`command=head&command=-c&command=${size}&command=/dev/zero&stdout=true`), ['v5.channel.k8s.io']);
    await s.closed;
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    const received = s.messages.filter(([c]) => c === 1).reduce((n, [, d]) => n + d.length, 0);
    expect(received).toBe(size);
    console.log(`exec head -c 32MiB /dev/zero over v5: ${(size / 1048576 / seconds).toFixed(0)} MiB/s (${seconds.toFixed(2)} s)`);
  });
});

describe('exec over the kubelet protocols', () => {
  it('v4.channel.k8s.io: the kubelet wording of a non-zero exit', async () => {
    const s = await open(execPath('command=sh&command=-c&command=exit+3&stdout=true&stderr=true'), ['v4.channel.k8s.io']);
    expect(s.protocol).toBe('v4.channel.k8s.io');
    await s.closed;
    expect(JSON.parse(channel(s, 3))).toEqual({
      metadata: {},
      status: 'Failure',
      message: 'command terminated with non-zero exit code: error executing command [sh -c exit 3], exit code 3',
      reason: 'NonZeroExitCode',
      details: { causes: [{ reason: 'ExitCode', message: '3' }] },
    });
  });

  it('v4.base64.channel.k8s.io: text frames, channel digit and base64 payload', async () => {
    const s = await open(execPath('command=echo&command=hi&stdout=true'), ['v4.base64.channel.k8s.io']);
    await s.closed;
    expect(s.textFrames).toContain('1aGkK');
    expect(channel(s, 1)).toBe('hi\n');
  });

  it('channel.k8s.io: the error channel carries only a failure message, nothing on success', async () => {
    const ok = await open(execPath('command=true&stdout=true'), ['channel.k8s.io']);
    await ok.closed;
    expect(channel(ok, 3)).toBe('');
    const failed = await open(execPath('command=false&stdout=true'), ['channel.k8s.io']);
    await failed.closed;
    expect(channel(failed, 3)).toBe('command terminated with non-zero exit code: error executing command [false], exit code 1');
  });
});

describe('refusals before the upgrade are Status objects', () => {
  it('an unsupported subprotocol is forbidden', async () => {
    const r = await refused(execPath('command=ls&stdout=true'), ['v3.channel.k8s.io']);
    expect(r).toEqual({ status: 403, body: expect.objectContaining({ kind: 'Status', reason: 'Forbidden', code: 403, message: expect.stringContaining('requested protocol(s) are not supported: [v3.channel.k8s.io]') }) });
  });

  it('a missing pod is 404, an unknown container 400, no token 401, no stream at all 400', async () => {
    expect(await refused('/api/v1/namespaces/default/pods/missing/exec?command=ls&stdout=true', ['v5.channel.k8s.io'])).toEqual({
      status: 404,
      body: expect.objectContaining({ reason: 'NotFound', message: 'pods "missing" not found' }),
    });
    expect(await refused(execPath('command=ls&stdout=true&container=sidecar'), ['v5.channel.k8s.io'])).toEqual({
      status: 400,
      body: expect.objectContaining({ reason: 'BadRequest', message: 'container sidecar is not valid for pod web-7d4b9c8f5-abcde' }),
    });
    expect((await refused(execPath('command=ls&stdout=true'), ['v5.channel.k8s.io'], {})).status).toBe(401);
    expect(await refused(execPath('command=ls'), ['v4.channel.k8s.io'])).toMatchObject({ status: 400, body: { message: 'you must specify at least 1 of stdin, stdout, stderr' } });
  });

  it('a plain request is told to upgrade', async () => {
    const res = await fetch(`${server.url}${execPath('command=ls&stdout=true')}`, { method: 'POST', headers: { Authorization: `Bearer ${TOKEN}` } });
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ kind: 'Status', reason: 'BadRequest', message: 'Upgrade request required' });
  });
});

describe('attach and port-forward over the channel protocols', () => {
  it('attach without stdin streams the main process output until the client leaves', async () => {
    const s = await open(`${POD}/attach?stdout=true&stderr=true`, ['v5.channel.k8s.io']);
    await until(() => channel(s, 1).includes('heartbeat 2'));
    s.ws.close();
    await s.closed;
    expect(channel(s, 1)).toMatch(/^heartbeat 1 from web\nheartbeat 2 from web\n/);
  });

  it('port-forward: port headers on both channels, then the echo service answers', async () => {
    const s = await open(`${POD}/portforward?ports=8080`, ['v4.channel.k8s.io']);
    s.ws.send(Buffer.concat([Buffer.of(0), Buffer.from('GET /ping HTTP/1.1\r\nHost: pod\r\n\r\n')]));
    await s.closed;
    const port = Buffer.from([0x90, 0x1f]);
    expect(s.messages.slice(0, 2)).toEqual([[0, port], [1, port]]);
    expect(channel(s, 0).slice(2)).toMatch(/^HTTP\/1\.1 200 OK\r\n[\s\S]*echo from pod web-7d4b9c8f5-abcde port 8080: GET \/ping\n$/);
    expect(channel(s, 1).slice(2)).toBe('');
  });

  it('port-forward to a port nothing listens on reports on the error channel', async () => {
    const s = await open(`${POD}/portforward?ports=9999`, ['v4.channel.k8s.io']);
    await s.closed;
    expect(channel(s, 1).slice(2)).toMatch(/^error forwarding port 9999 to pod web-7d4b9c8f5-abcde_default, uid [0-9a-f-]+: .*connection refused$/);
    expect(await refused(`${POD}/portforward`, ['v4.channel.k8s.io'])).toMatchObject({ status: 400, body: { message: 'query parameter "port" is required' } });
  });
});
