import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { connect, type NatsConnection } from 'nats';
import { busSubjects } from '@chaperone/contracts';
import { chainedEventStore, JetStreamEventStore, type EventStore } from '@chaperone/event-store';
import { Metrics } from '@chaperone/service-runtime';
import { DeliveryFailed, type Transport } from '../delivery/transport';
import { toAuditEvent } from '../formats/k8s-audit-event';
import { sampleRequestEvents } from '../testing/sample-events';
import { KvCheckpointStore } from './checkpoint-store';
import { SinkFollower } from './sink-follower';
import { registerSinkMetrics } from './sink-metrics';

const natsUrl = process.env['NATS_URL'] ?? 'nats://127.0.0.1:4222';

/** A transport that refuses every batch until opened. */
class Gate implements Transport {
  readonly description = 'a gate';
  open = false;
  delivered = 0;
  async deliver(records: readonly unknown[]): Promise<void> {
    if (!this.open) throw new DeliveryFailed('the receiver answered 503');
    this.delivered += records.length;
  }
  async close(): Promise<void> {}
}

/** The value of one sample of a Prometheus text exposition, by metric name and sink label. */
function sample(text: string, name: string, sink: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${name}{`) && l.includes(`sink="${sink}"`));
  return line === undefined ? undefined : Number(line.slice(line.lastIndexOf(' ') + 1));
}

describe('exporter metrics on /metrics (real NATS JetStream store)', () => {
  jest.setTimeout(60_000);
  const subjects = busSubjects(`expm-${randomUUID().slice(0, 8)}`);
  let nc: NatsConnection;
  let inner: JetStreamEventStore;
  let store: EventStore;
  let checkpoints: KvCheckpointStore;
  let metrics: Metrics;
  let server: Server;
  let base = '';
  const followers: SinkFollower[] = [];
  const scrape = async (): Promise<string> => (await fetch(`${base}/metrics`)).text();

  beforeAll(async () => {
    nc = await connect({ servers: natsUrl });
    inner = await JetStreamEventStore.create(nc, { streamName: subjects.evidenceStream, subjectPrefix: subjects.evidenceSubjectPrefix });
    store = chainedEventStore(inner);
    checkpoints = await KvCheckpointStore.open(nc, subjects.exporterCheckpointBucket);
    metrics = new Metrics({ service: 'exporter', instance: 'test' });
    registerSinkMetrics(metrics.meter, store, () => followers.map((f) => f.status));
    server = createServer((req, res) => metrics.serve(req, res));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    for (const f of followers) await f.stop();
    server.close();
    await metrics.shutdown();
    await inner.close();
    const jsm = await nc.jetstreamManager();
    await jsm.streams.delete(subjects.evidenceStream);
    await jsm.streams.delete(`KV_${subjects.exporterCheckpointBucket}`);
    await nc.drain();
  });

  it('a failing sink shows the events it is behind, its failures and its back-off; once delivering, lag 0', async () => {
    let written = 0;
    for (const requestId of ['m1', 'm2']) {
      for (const e of sampleRequestEvents({ requestId, sessionId: 'm' })) {
        await store.append('session-m', [{ eventId: e.eventId, type: e.type, data: e }]);
        written++;
      }
    }
    const gate = new Gate();
    const follower = new SinkFollower(store, checkpoints, {
      name: 'siem',
      transport: gate,
      format: toAuditEvent,
      batchSize: 100,
      pollMs: 20,
      pendingMaxAgeMs: 3_600_000,
      backoff: { initialMs: 200, maxMs: 400 },
      logger: { log: () => undefined, warn: () => undefined },
    });
    followers.push(follower);
    follower.start();
    const deadline = Date.now() + 20_000;
    while (follower.status.failures < 2 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));

    let text = await scrape();
    expect(sample(text, 'chaperone_export_lag_events', 'siem')).toBe(written);
    expect(sample(text, 'chaperone_export_delivery_failures_total', 'siem')).toBeGreaterThanOrEqual(2);
    expect(sample(text, 'chaperone_export_delivery_consecutive_failures', 'siem')).toBeGreaterThanOrEqual(2);
    expect(sample(text, 'chaperone_export_backoff_seconds', 'siem')).toBeGreaterThan(0);
    expect(sample(text, 'chaperone_export_delivered_total', 'siem')).toBe(0);

    gate.open = true;
    while (gate.delivered < 2 && Date.now() < deadline + 10_000) await new Promise((r) => setTimeout(r, 50));
    while (!follower.status.caughtUp && Date.now() < deadline + 10_000) await new Promise((r) => setTimeout(r, 50));
    text = await scrape();
    expect(sample(text, 'chaperone_export_lag_events', 'siem')).toBe(0);
    expect(sample(text, 'chaperone_export_delivered_total', 'siem')).toBe(2);
    expect(sample(text, 'chaperone_export_delivery_consecutive_failures', 'siem')).toBe(0);
    expect(sample(text, 'chaperone_export_backoff_seconds', 'siem')).toBe(0);
    expect(sample(text, 'chaperone_export_lag_seconds', 'siem')).toBeGreaterThanOrEqual(0);
  });
});
