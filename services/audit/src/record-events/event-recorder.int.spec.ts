import 'reflect-metadata';
import { randomUUID } from 'node:crypto';
import { NestFactory } from '@nestjs/core';
import type { INestApplicationContext } from '@nestjs/common';
import type { NatsConnection } from 'nats';
import { busSubjects, type ChaperoneEvent } from '@chaperone/contracts';
import { connectBus, DurableEventPublisher, encodeJson, ensureEventsStream } from '@chaperone/bus';
import { JetStreamEventStore, type RecordedEvent } from '@chaperone/event-store';
import { GENESIS, chainHashes } from '@chaperone/evidence-chain';
import { AuditModule } from '../audit.module';
import { EventRecorder } from './event-recorder';
import { streamFor } from './stream-name';

const servers = [process.env['NATS_URL'] ?? 'nats://127.0.0.1:4222'];
const subjects = busSubjects(`audit-int-${randomUUID().slice(0, 8)}`);
const limits = { maxBytes: 1 << 26, maxMsgs: -1, publishTimeoutMs: 2000 };

function event(sessionId: string, n: number): ChaperoneEvent {
  return {
    eventId: randomUUID(),
    schemaVersion: 1,
    type: 'RequestCompleted',
    time: new Date().toISOString(),
    requestId: `request-${n}`,
    sessionId,
    traceId: 't',
    identity: null,
    payload: { outcome: 'forwarded', status: 200, bytesOut: n, durationMs: 1 },
  };
}

async function startAudit(): Promise<INestApplicationContext> {
  return NestFactory.createApplicationContext(
    AuditModule.forRoot({
      runtime: { service: 'audit', natsServers: servers, busPrefix: subjects.prefix, events: limits },
      eventStore: 'jetstream',
      eventStoreConnection: undefined,
    }),
    { logger: false },
  );
}

async function eventually<T>(fn: () => Promise<T>, ok: (v: T) => boolean, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (ok(v)) return v;
    if (Date.now() > deadline) throw new Error(`condition not met in time; last value: ${JSON.stringify(v).slice(0, 300)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('audit service: bus → event store (real NATS JetStream)', () => {
  let nc: NatsConnection;
  let store: JetStreamEventStore;
  let publisher: DurableEventPublisher;
  const apps: INestApplicationContext[] = [];

  beforeAll(async () => {
    nc = await connectBus(servers, 'audit-int-test');
    await ensureEventsStream(await nc.jetstreamManager(), subjects, limits);
    store = await JetStreamEventStore.create(nc, { streamName: subjects.evidenceStream, subjectPrefix: subjects.evidenceSubjectPrefix });
    publisher = new DurableEventPublisher(nc.jetstream(), subjects, 2000);
    apps.push(await startAudit(), await startAudit());
  }, 30_000);

  afterAll(async () => {
    for (const app of apps) await app.close();
    const jsm = await nc.jetstreamManager();
    await jsm.streams.delete(subjects.eventsStream);
    await jsm.streams.delete(subjects.evidenceStream);
    await nc.drain();
  });

  it('given two replicas, every event of many sessions is stored exactly once, in bus order per session', async () => {
    const sessions = Array.from({ length: 6 }, (_, i) => `int-${i}-${randomUUID().slice(0, 6)}`);
    const published: ChaperoneEvent[] = [];
    for (let n = 0; n < 20; n++) {
      for (const s of sessions) {
        const e = event(s, n);
        published.push(e);
        await publisher.publish(e);
      }
    }
    for (const s of sessions) {
      const stored = await eventually(
        () => store.readStream(streamFor(s)),
        (r: RecordedEvent[]) => r.length >= 20,
      );
      expect(stored.map((r) => r.eventId)).toEqual(published.filter((e) => e.sessionId === s).map((e) => e.eventId));
      // Each session stream is one hash chain, whichever replica stored which event.
      const hashes = chainHashes(stored);
      expect(stored.map((r) => [r.metadata['prevHash'], r.metadata['chainHash']])).toEqual(hashes.map((h, i) => [i === 0 ? GENESIS : hashes[i - 1], h]));
    }
    const recorders = apps.map((a) => a.get(EventRecorder));
    const total = recorders.reduce((sum, r) => sum + (r.stored.get('RequestCompleted') ?? 0), 0);
    expect(total).toBe(published.length);
    // Both replicas took part.
    expect(recorders.every((r) => (r.stored.get('RequestCompleted') ?? 0) > 0)).toBe(true);
  });

  it('given the same event delivered again beyond the bus dedup (another message id), it is stored once', async () => {
    const s = `dup-${randomUUID().slice(0, 6)}`;
    const e = event(s, 1);
    await publisher.publish(e);
    await eventually(() => store.readStream(streamFor(s)), (r: RecordedEvent[]) => r.length === 1);
    const duplicatesBefore = apps.reduce((n, a) => n + a.get(EventRecorder).duplicates, 0);
    await nc.jetstream().publish(subjects.event(e.type, s), encodeJson(e), { msgID: randomUUID() });
    await eventually(
      async () => apps.reduce((n, a) => n + a.get(EventRecorder).duplicates, 0),
      (n: number) => n === duplicatesBefore + 1,
    );
    expect(await store.readStream(streamFor(s))).toHaveLength(1);
  });

  it('given a malformed message, it is rejected (not stored) and the partition keeps flowing', async () => {
    const s = `bad-${randomUUID().slice(0, 6)}`;
    const rejectedBefore = apps.reduce((n, a) => n + a.get(EventRecorder).rejected, 0);
    await nc.jetstream().publish(subjects.event('RequestCompleted', s), encodeJson({ type: 'RequestCompleted', secret: 'x' }));
    const good = event(s, 2);
    await publisher.publish(good);
    const stored = await eventually(() => store.readStream(streamFor(s)), (r: RecordedEvent[]) => r.length === 1);
    expect(stored[0]?.eventId).toBe(good.eventId);
    expect(apps.reduce((n, a) => n + a.get(EventRecorder).rejected, 0)).toBe(rejectedBefore + 1);
  });

  it('given the audit service was down, it catches up from where it stopped', async () => {
    for (const app of apps.splice(0)) await app.close();
    const s = `down-${randomUUID().slice(0, 6)}`;
    const events = [event(s, 1), event(s, 2), event(s, 3)];
    for (const e of events) await publisher.publish(e);
    expect(await store.readStream(streamFor(s))).toHaveLength(0);
    apps.push(await startAudit());
    const stored = await eventually(() => store.readStream(streamFor(s)), (r: RecordedEvent[]) => r.length === 3);
    expect(stored.map((r) => r.eventId)).toEqual(events.map((e) => e.eventId));
  });
});
