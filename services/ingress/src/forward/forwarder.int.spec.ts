import { createServer, request, type IncomingHttpHeaders, type Server } from 'node:http';
import { Agent } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Forwarder } from './forwarder';
import { passThrough } from './pass-through';
import { upstreamHeaders } from '../upstream/upstream-headers';

/** The forwarder against small real upstream servers: what reaches the cluster and what comes back. */
const id = {
  identity: { subject: 's', username: 'agent-x', groups: ['agents'], agent: 'x', issuer: 'i' },
  sessionId: 'session-1',
  requestId: 'request-1',
};

async function listen(server: Server): Promise<string> {
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

describe('Forwarder', () => {
  let streamEnded = false;
  let releaseStream: () => void = () => undefined;
  const seen: { url: string; headers: IncomingHttpHeaders }[] = [];
  const upstream = createServer((req, res) => {
    seen.push({ url: req.url ?? '', headers: req.headers });
    if (req.url === '/redirect') {
      res.writeHead(302, { location: 'http://169.254.169.254/latest/meta-data/' });
      res.end();
      return;
    }
    if (req.url === '/stream') {
      // The rest is sent only once the client has the first chunk (or after 10 s): a buffering
      // proxy would deliver nothing before the end, however loaded the machine is.
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write('{"type":"ADDED"}\n');
      const end = () => {
        clearTimeout(fallback);
        streamEnded = true;
        res.end('{"type":"MODIFIED"}\n');
      };
      const fallback = setTimeout(end, 10_000);
      releaseStream = end;
      return;
    }
    res.writeHead(200, { 'content-type': 'text/plain' });
    res.end('ok');
  });
  const beforeLastCalls: string[] = [];
  let holdLastMs = 0;
  let gateway: Server;
  let forwarder: Forwarder;
  let base = '';

  beforeAll(async () => {
    const target = new URL(await listen(upstream));
    forwarder = new Forwarder({ target, agent: new Agent({ keepAlive: true }), authorization: () => 'Bearer gw', describe: 'test' });
    const headers = (req: { headers: IncomingHttpHeaders }) => upstreamHeaders(req.headers, { ...id, authorization: forwarder.authorization(), upgrade: false });
    gateway = createServer((req, res) =>
      forwarder.web(req, res, {
        headers: headers(req),
        body: undefined,
        onError: () => res.destroy(),
        onResponse: (proxyRes) =>
          void passThrough(proxyRes, res, {
            streaming: req.url === '/stream',
            account: () => undefined,
            beforeLast: async () => {
              beforeLastCalls.push(req.url ?? '');
              await new Promise((r) => setTimeout(r, holdLastMs));
            },
          }),
      }),
    );
    base = await listen(gateway);
  });

  afterAll(async () => {
    forwarder.close();
    gateway.closeAllConnections();
    upstream.closeAllConnections();
    await new Promise((r) => gateway.close(r));
    await new Promise((r) => upstream.close(r));
  });

  it('passes an upstream redirect back to the client and never follows it', async () => {
    seen.length = 0;
    const res = await fetch(`${base}/redirect`, { redirect: 'manual' });
    expect(res.status).toBe(302);
    expect(res.headers.get('location')).toBe('http://169.254.169.254/latest/meta-data/');
    expect(seen.map((s) => s.url)).toEqual(['/redirect']);
  });

  it('sends the gateway credential and impersonation, never the client’s', async () => {
    seen.length = 0;
    await fetch(`${base}/plain`, { headers: { authorization: 'Bearer agent-token', 'impersonate-user': 'system:admin' } });
    expect(seen[0]?.headers['authorization']).toBe('Bearer gw');
    expect(seen[0]?.headers['impersonate-user']).toBe('agent-x');
  });

  it('streams the response as it arrives instead of buffering it', async () => {
    const first = await new Promise<{ chunk: string; endedBefore: boolean }>((resolve, reject) => {
      request(`${base}/stream`, (res) => res.once('data', (c: Buffer) => resolve({ chunk: c.toString(), endedBefore: streamEnded }))).on('error', reject).end();
    });
    releaseStream();
    expect(first).toEqual({ chunk: '{"type":"ADDED"}\n', endedBefore: false });
  });

  it('releases a bounded response only after its completion hook ran', async () => {
    beforeLastCalls.length = 0;
    holdLastMs = 300;
    const body = await new Promise<{ text: string; hooked: string[] }>((resolve, reject) => {
      request(`${base}/plain`, (res) => {
        let text = '';
        res.on('data', (c: Buffer) => (text += c.toString()));
        // Whatever the timing, the hook has run by the time any byte of the body arrives.
        res.once('data', () => resolve({ text: '', hooked: [...beforeLastCalls] }));
        res.on('end', () => resolve({ text, hooked: [...beforeLastCalls] }));
      })
        .on('error', reject)
        .end();
    });
    holdLastMs = 0;
    expect(body.hooked).toEqual(['/plain']);
  });
});
