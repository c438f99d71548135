import { Agent, createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import WebSocket, { WebSocketServer } from 'ws';
import type { SessionEnding } from '@chaperone/contracts';
import { PortForwardSession } from '../portforward/port-forward-session';
import { SessionRelay } from './session-relay';
import { relayRefusal, switchingProtocols, upgradeUpstream } from './upstream-upgrade';

/**
 * The relay between real WebSocket peers (the `ws` library as agent and as cluster): what the
 * cluster sees before and after its 101, what comes back, and how each session is said to end.
 */
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function listen(server: Server): Promise<string> {
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

describe('SessionRelay between an agent and the cluster', () => {
  const clusterWs = new WebSocketServer({ noServer: true });
  const cluster = createServer();
  const gateway = createServer();
  const endings: SessionEnding[] = [];
  const seenByCluster: { head: number; messages: string[] }[] = [];
  let mode: 'echo-then-close' | 'echo' | 'refuse' = 'echo';
  let idleMs = 10_000;
  let base = '';

  cluster.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    if (mode === 'refuse') {
      const body = '{"kind":"Status","code":404}';
      socket.end(`HTTP/1.1 404 Not Found\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n${body}`);
      return;
    }
    const seen = { head: head.length, messages: [] as string[] };
    seenByCluster.push(seen);
    // The 101 comes late: whatever the agent sent meanwhile must wait at the gateway.
    setTimeout(() => {
      clusterWs.handleUpgrade(req, socket, head, (ws) => {
        ws.on('message', (data: Buffer) => {
          seen.messages.push(data.toString());
          ws.send(Buffer.concat([Buffer.from('echo:'), data]));
          if (mode === 'echo-then-close') ws.close(1000, 'done');
        });
      });
    }, 150);
  });

  beforeAll(async () => {
    const target = new URL(await listen(cluster));
    const upstream = { target, agent: new Agent({ keepAlive: true }), authorization: () => undefined, describe: 'test' };
    gateway.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
      const headers = { connection: 'Upgrade', upgrade: 'websocket', 'sec-websocket-key': req.headers['sec-websocket-key'], 'sec-websocket-version': '13' };
      void upgradeUpstream(upstream, req.url ?? '/', headers, () => undefined).then(async (answer) => {
        if (answer.kind === 'refused') return relayRefusal(answer.res, socket, { 'X-Test': 'relayed' });
        socket.write(switchingProtocols(answer.res, { 'X-Test': 'relayed' }));
        const relay = new SessionRelay({ agent: socket, agentHead: head, cluster: answer.socket, clusterHead: answer.head }, { idleMs, maxMs: 60_000, maxMessageBytes: 1 << 20, closeGraceMs: 2000 });
        endings.push(await relay.run(new PortForwardSession()));
      });
    });
    base = (await listen(gateway)).replace('http', 'ws');
  });

  afterAll(async () => {
    clusterWs.close();
    cluster.closeAllConnections();
    gateway.closeAllConnections();
    await new Promise((r) => cluster.close(r));
    await new Promise((r) => gateway.close(r));
  });

  async function waitFor<T>(get: () => T | undefined): Promise<T> {
    for (let i = 0; i < 300; i++) {
      const v = get();
      if (v !== undefined) return v;
      await sleep(10);
    }
    throw new Error('timed out');
  }

  it('relays nothing before the 101; then messages flow both ways; the agent leaving is client-gone', async () => {
    mode = 'echo';
    endings.length = 0;
    const ws = new WebSocket(`${base}/exec`);
    const replies: string[] = [];
    ws.on('message', (d: Buffer) => replies.push(d.toString()));
    const upgrade = new Promise<IncomingMessage>((r) => ws.once('upgrade', r));
    await new Promise((r) => ws.once('open', r));
    expect((await upgrade).headers['x-test']).toBe('relayed');
    ws.send('one');
    ws.send(Buffer.alloc(100_000, 'a'));
    await waitFor(() => (replies.length === 2 ? true : undefined));
    expect(replies[0]).toBe('echo:one');
    expect(replies[1]).toHaveLength(100_005);
    expect(seenByCluster.at(-1)?.head).toBe(0);
    ws.close();
    expect(await waitFor(() => endings[0])).toBe('client-gone');
  });

  it('the cluster closing first is upstream-gone, and its close reaches the agent', async () => {
    mode = 'echo-then-close';
    endings.length = 0;
    const ws = new WebSocket(`${base}/exec`);
    await new Promise((r) => ws.once('open', r));
    ws.send('last');
    const [code, reason] = await new Promise<[number, string]>((r) => ws.once('close', (c: number, why: Buffer) => r([c, why.toString()])));
    expect([code, reason]).toEqual([1000, 'done']);
    expect(await waitFor(() => endings[0])).toBe('upstream-gone');
  });

  it('relays a refused upgrade as it is and never switches', async () => {
    mode = 'refuse';
    const ws = new WebSocket(`${base}/exec`);
    const res = await new Promise<IncomingMessage>((resolve) => ws.once('unexpected-response', (_req, r) => resolve(r)));
    expect(res.statusCode).toBe(404);
    expect(res.headers['x-test']).toBe('relayed');
    let body = '';
    for await (const c of res) body += (c as Buffer).toString();
    expect(JSON.parse(body)).toMatchObject({ kind: 'Status', code: 404 });
  });

  it('a quiet session ends as idle-timeout, and both sides are closed', async () => {
    mode = 'echo';
    idleMs = 300;
    endings.length = 0;
    const ws = new WebSocket(`${base}/exec`);
    await new Promise((r) => ws.once('open', r));
    const code = await new Promise<number>((r) => ws.once('close', (c: number) => r(c)));
    idleMs = 10_000;
    expect(code).toBe(1000);
    expect(await waitFor(() => endings[0])).toBe('idle-timeout');
  });
});
