import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { connect, type NatsConnection } from 'nats';
import { busSubjects } from '@chaperone/contracts';
import { chainedEventStore, JetStreamEventStore, type EventStore } from '@chaperone/event-store';
import type { AuditEventList } from '../formats/k8s-audit-event';
import { sampleRequestEvents } from '../testing/sample-events';

const natsUrl = process.env['NATS_URL'] ?? 'nats://127.0.0.1:4222';
const MAIN = join(__dirname, '..', '..', 'dist', 'main.js');

async function until(what: string, check: () => boolean, timeoutMs = 60_000): Promise<void> {
  const t0 = Date.now();
  while (!check()) {
    if (Date.now() - t0 > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function writeRequests(store: EventStore, from: number, to: number): Promise<string[]> {
  const ids: string[] = [];
  for (let i = from; i < to; i++) {
    const requestId = `k${i}`;
    const session = `s${i % 4}`;
    ids.push(requestId);
    for (const e of sampleRequestEvents({ requestId, sessionId: session })) await store.append(`session-${session}`, [{ eventId: e.eventId, type: e.type, data: e }]);
  }
  return ids;
}

/**
 * The exporter as a separate process (the built service), SIGKILLed while a batch is in flight to
 * the webhook, then started again: every request reaches the webhook at least once, counted by id.
 */
describe('exporter killed mid-delivery (SIGKILL) and restarted', () => {
  jest.setTimeout(180_000);
  const subjects = busSubjects(`exp-kill-${randomUUID().slice(0, 8)}`);
  let nc: NatsConnection;
  let inner: JetStreamEventStore;
  let child: ChildProcess | undefined;
  const receipts = new Map<string, number>();
  let posts = 0;
  let holdPost = 3;
  let held: { ids: string[]; res: ServerResponse } | undefined;
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString('utf8')));
    req.on('end', () => {
      posts++;
      const ids = (JSON.parse(body) as AuditEventList).items.map((e) => e.auditID);
      // Count what arrived, acknowledged or not: that is what a receiver would have seen.
      for (const id of ids) receipts.set(id, (receipts.get(id) ?? 0) + 1);
      if (posts === holdPost) {
        held = { ids, res }; // never answered: the exporter is killed while waiting for it
        return;
      }
      res.writeHead(200).end();
    });
  });
  let output = '';
  const start = (port: number) => {
    const p = spawn(process.execPath, [MAIN], {
      env: {
        PATH: process.env['PATH'],
        CHAPERONE_NATS_URL: natsUrl,
        CHAPERONE_BUS_PREFIX: subjects.prefix,
        CHAPERONE_HEALTH_PORT: '0',
        CHAPERONE_EXPORT_SINKS: `kill-test=k8s-audit:webhook:http://127.0.0.1:${port}/audit`,
        CHAPERONE_EXPORT_BATCH_SIZE: '10',
        CHAPERONE_EXPORT_POLL_MS: '50',
        CHAPERONE_EXPORT_BACKOFF_MAX_MS: '500',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    p.stdout?.on('data', (c: Buffer) => (output += c.toString('utf8')));
    p.stderr?.on('data', (c: Buffer) => (output += c.toString('utf8')));
    return p;
  };

  beforeAll(async () => {
    nc = await connect({ servers: natsUrl });
    inner = await JetStreamEventStore.create(nc, { streamName: subjects.evidenceStream, subjectPrefix: subjects.evidenceSubjectPrefix });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  });
  afterAll(async () => {
    child?.kill('SIGKILL');
    server.closeAllConnections();
    server.close();
    await inner.close();
    const jsm = await nc.jetstreamManager();
    await jsm.streams.delete(subjects.evidenceStream).catch(() => undefined);
    await jsm.streams.delete(`KV_${subjects.exporterCheckpointBucket}`).catch(() => undefined);
    await nc.drain();
  });

  it('delivers every request at least once', async () => {
    const store = chainedEventStore(inner);
    const port = (server.address() as AddressInfo).port;
    const first = await writeRequests(store, 0, 40);

    child = start(port);
    await until('the third batch in flight', () => held !== undefined);
    const killed = child;
    const exited = new Promise((r) => killed.once('exit', r));
    killed.kill('SIGKILL');
    await exited;
    held!.res.destroy();
    const beforeRestart = new Map(receipts);

    // More evidence arrives while the exporter is down.
    const second = await writeRequests(store, 40, 60);
    holdPost = -1;
    child = start(port);
    const all = [...first, ...second];
    await until(`all ${all.length} requests at the webhook`, () => all.every((id) => (receipts.get(id) ?? 0) >= 1));

    const missing = all.filter((id) => !receipts.has(id));
    const total = [...receipts.values()].reduce((a, b) => a + b, 0);
    const repeated = all.filter((id) => (receipts.get(id) ?? 0) > 1);
    console.log(`SIGKILL test: ${all.length} requests, ${total} receipts in ${posts} POSTs; ${repeated.length} delivered twice (the unacknowledged batch: ${held!.ids.join(', ')}); ${beforeRestart.size} seen before the kill`);
    expect(missing).toEqual([]);
    expect(new Set(receipts.keys())).toEqual(new Set(all));
    // The batch in flight at the kill was never acknowledged, so it was delivered again.
    for (const id of held!.ids) expect(receipts.get(id)).toBeGreaterThanOrEqual(2);
    expect(output).toContain('resuming at store position');
  });
});
