import { randomUUID } from 'node:crypto';
import { appendFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Ajv from 'ajv';
import { connect, type NatsConnection } from 'nats';
import { busSubjects } from '@chaperone/contracts';
import { chainedEventStore, JetStreamEventStore, type EventStore } from '@chaperone/event-store';
import { FileTransport } from '../delivery/file-transport';
import { WebhookTransport } from '../delivery/webhook-transport';
import auditSchema from '../fixtures/audit-k8s-io-v1-event.schema.json';
import { auditEventList, toAuditEvent, type AuditEvent } from '../formats/k8s-audit-event';
import { sampleRequestEvents } from '../testing/sample-events';
import { KvCheckpointStore } from './checkpoint-store';
import { SinkFollower, type SinkFollowerOptions } from './sink-follower';

const natsUrl = process.env['NATS_URL'] ?? 'nats://127.0.0.1:4222';
const quiet = { log: () => undefined, warn: () => undefined };

async function until(what: string, check: () => boolean, timeoutMs = 20_000): Promise<void> {
  const t0 = Date.now();
  while (!check()) {
    if (Date.now() - t0 > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Given these requests' evidence in the store, as the audit service writes it. */
async function writeRequests(store: EventStore, session: string, ids: string[]): Promise<void> {
  for (const requestId of ids) {
    for (const e of sampleRequestEvents({ requestId, sessionId: session })) {
      await store.append(`session-${session}`, [{ eventId: e.eventId, type: e.type, data: e }]);
    }
  }
}

describe('SinkFollower (real NATS JetStream store and KV checkpoints)', () => {
  jest.setTimeout(60_000);
  const subjects = busSubjects(`exp-${randomUUID().slice(0, 8)}`);
  const dir = mkdtempSync(join(tmpdir(), 'exporter-'));
  let nc: NatsConnection;
  let inner: JetStreamEventStore;
  let store: EventStore;
  let checkpoints: KvCheckpointStore;
  const files: FileTransport[] = [];
  /** A file transport, closed after the test. */
  const opened = async (file: string) => {
    const t = await FileTransport.open(file);
    files.push(t);
    return t;
  };
  afterEach(async () => {
    for (const t of files.splice(0)) await t.close();
  });
  const validate = new Ajv({ strict: false }).compile(auditSchema);
  const options = (over: Partial<SinkFollowerOptions> & Pick<SinkFollowerOptions, 'name' | 'transport'>): SinkFollowerOptions => ({
    format: toAuditEvent,
    batchSize: 7,
    pollMs: 20,
    pendingMaxAgeMs: 3_600_000,
    backoff: { initialMs: 20, maxMs: 100 },
    logger: quiet,
    ...over,
  });

  beforeAll(async () => {
    nc = await connect({ servers: natsUrl });
    inner = await JetStreamEventStore.create(nc, { streamName: subjects.evidenceStream, subjectPrefix: subjects.evidenceSubjectPrefix });
    store = chainedEventStore(inner);
    checkpoints = await KvCheckpointStore.open(nc, subjects.exporterCheckpointBucket);
  });
  afterAll(async () => {
    await inner.close();
    const jsm = await nc.jetstreamManager();
    await jsm.streams.delete(subjects.evidenceStream);
    await jsm.streams.delete(`KV_${subjects.exporterCheckpointBucket}`);
    await nc.drain();
    rmSync(dir, { recursive: true, force: true });
  });

  it('writes one audit Event per request to a JSON-lines file, resumes from its checkpoint without repeats, and cuts a torn last line', async () => {
    const file = join(dir, 'audit.jsonl');
    await writeRequests(store, 'f1', ['a1', 'a2', 'a3', 'a4', 'a5']);
    let follower = new SinkFollower(store, checkpoints, options({ name: 'file-sink', transport: await opened(file) }));
    follower.start();
    const lines = () => readFileSync(file, 'utf8').split('\n').filter(Boolean);
    await until('five events in the file', () => lines().length === 5);
    await follower.stop();
    const events = lines().map((l) => JSON.parse(l) as AuditEvent);
    expect(events.map((e) => e.auditID)).toEqual(['a1', 'a2', 'a3', 'a4', 'a5']);
    for (const e of events) expect(validate(e)).toBe(true);
    expect(await checkpoints.load('file-sink')).toEqual({ resumeFrom: 16, deliveredThrough: 15 });

    // A crash in the middle of a write left half a line; a new request arrives meanwhile.
    appendFileSync(file, '{"kind":"Event","apiVer');
    await writeRequests(store, 'f1', ['a6']);
    follower = new SinkFollower(store, checkpoints, options({ name: 'file-sink', transport: await opened(file) }));
    follower.start();
    await until('the sixth event', () => lines().length >= 6);
    await follower.stop();
    expect(lines().map((l) => (JSON.parse(l) as AuditEvent).auditID)).toEqual(['a1', 'a2', 'a3', 'a4', 'a5', 'a6']);
  });

  it('a request whose interception was read before a restart is joined again from the checkpoint', async () => {
    const file = join(dir, 'split.jsonl');
    const [intercepted, decided, completed] = sampleRequestEvents({ requestId: 'b1', sessionId: 'f2' });
    await store.append('session-f2', [{ eventId: intercepted!.eventId, type: intercepted!.type, data: intercepted }]);
    let follower = new SinkFollower(store, checkpoints, options({ name: 'split-sink', transport: await opened(file) }));
    follower.start();
    await until('the checkpoint', () => follower.status.deliveredThrough >= 0 && follower.status.caughtUp);
    await follower.stop();
    const cp = await checkpoints.load('split-sink');
    // Held back at the open request's first event, though everything up to the tail was read.
    expect(cp!.resumeFrom).toBeLessThanOrEqual(cp!.deliveredThrough);
    for (const e of [decided!, completed!]) await store.append('session-f2', [{ eventId: e.eventId, type: e.type, data: e }]);
    follower = new SinkFollower(store, checkpoints, options({ name: 'split-sink', transport: await opened(file) }));
    follower.start();
    await until('the joined event', () => readFileSync(file, 'utf8').includes('"b1"'));
    await follower.stop();
    const event = JSON.parse(readFileSync(file, 'utf8').trim().split('\n').pop() as string) as AuditEvent;
    expect(event).toMatchObject({ auditID: 'b1', verb: 'get', objectRef: { resource: 'pods' }, annotations: { 'chaperone.io/rule': 'read-pods' } });
  });

  it('batches EventList POSTs to a webhook, backs off while it fails, and loses nothing', async () => {
    const received: AuditEvent[] = [];
    let failuresLeft = 3;
    let posts = 0;
    const server: Server = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString('utf8')));
      req.on('end', () => {
        posts++;
        if (failuresLeft-- > 0) {
          res.writeHead(503).end();
          return;
        }
        const list = JSON.parse(body) as ReturnType<typeof auditEventList>;
        expect(list).toMatchObject({ kind: 'EventList', apiVersion: 'audit.k8s.io/v1' });
        received.push(...list.items);
        res.writeHead(200).end();
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/audit`;
    const warnings: string[] = [];
    const follower = new SinkFollower(
      store,
      checkpoints,
      options({
        name: 'hook-sink',
        transport: new WebhookTransport({ url, body: (r) => auditEventList(r as AuditEvent[]), timeoutMs: 2000 }),
        logger: { log: () => undefined, warn: (m) => warnings.push(m) },
      }),
    );
    follower.start();
    try {
      await until('every request of the store', () => new Set(received.map((e) => e.auditID)).size === 7);
    } finally {
      await follower.stop();
      server.close();
    }
    expect(warnings.filter((w) => w.includes('answered 503'))).toHaveLength(3);
    expect(warnings[0]).toMatch(/could not deliver \d+ record\(s\) to webhook http:\/\/127\.0\.0\.1:\d+\/audit \(attempt 1\): .*answered 503; next attempt in/);
    expect(posts).toBeGreaterThan(3);
    expect(received.map((e) => e.auditID).sort()).toEqual(['a1', 'a2', 'a3', 'a4', 'a5', 'a6', 'b1']);
  });
});
