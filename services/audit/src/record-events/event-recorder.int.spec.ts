import 'reflect-metadata';
import { randomUUID } from 'node:crypto';
import { NestFactory } from '@nestjs/core';
import type { INestApplicationContext } from '@nestjs/common';
import { AckPolicy, DeliverPolicy, nanos, type NatsConnection } from 'nats';
import { busSubjects, EVENT_PARTITIONS, partitionOf, type ChaperoneEvent } from '@chaperone/contracts';
import { connectBus, DurableEventPublisher, encodeJson, ensureEventsStream } from '@chaperone/bus';
import { chainedEventStore, JetStreamEventStore, type ChainedEventStore, type RecordedEvent } from '@chaperone/event-store';
import { generateCheckpointKeyPair, verifyStore } from '@chaperone/evidence-chain';
import { AuditModule } from '../audit.module';
import { toNewEvent } from './batch-plan';
import { EventRecorder } from './event-recorder';
import { ACK_WAIT_MS, BATCH_MAX_MESSAGES } from './partition-feed';
import { streamFor } from './stream-name';

const servers = [process.env['NATS_URL'] ?? 'nats://127.0.0.1:4222'];
const subjects = busSubjects(`audit-int-${randomUUID().slice(0, 8)}`);
const limits = { maxBytes: 1 << 26, maxMsgs: -1, publishTimeoutMs: 2000 };

function event(sessionId: string, n: number, type: 'RequestCompleted' = 'RequestCompleted'): ChaperoneEvent {
  return {
    eventId: randomUUID(),
    schemaVersion: 1,
    type,
    time: new Date().toISOString(),
    requestId: `request-${n}`,
    sessionId,
    traceId: 't',
    identity: null,
    payload: { outcome: 'forwarded', status: 200, bytesOut: n, durationMs: 1 },
  };
}

/** One session id per partition (and a few more), so every partition carries events. */
function sessionsOnEveryPartition(label: string, extra = 0): string[] {
  const byPartition = new Map<number, string>();
  const more: string[] = [];
  while (byPartition.size < EVENT_PARTITIONS || more.length < extra) {
    const s = `${label}-${randomUUID().slice(0, 8)}`;
    if (!byPartition.has(partitionOf(s))) byPartition.set(partitionOf(s), s);
    else if (more.length < extra) more.push(s);
  }
  return [...byPartition.values(), ...more];
}

/** Another session id whose events go to the same partition as `s`'s (or, `same` false, to another). */
function sessionBeside(s: string, same = true): string {
  for (;;) {
    const other = `${s}-${randomUUID().slice(0, 6)}`;
    if ((partitionOf(other) === partitionOf(s)) === same) return other;
  }
}

/** As in production (CHAPERONE_AUDIT_BATCH_LINGER_MS), longer: a test machine is slower. */
const LINGER_MS = 50;

async function startAudit(): Promise<INestApplicationContext> {
  return NestFactory.createApplicationContext(
    AuditModule.forRoot({
      runtime: { service: 'audit', natsServers: servers, busPrefix: subjects.prefix, events: limits },
      eventStore: 'jetstream',
      eventStoreConnection: undefined,
      batchLingerMs: LINGER_MS,
    }),
    { logger: process.env['AUDIT_TEST_LOGS'] ? ['log', 'warn', 'error'] : false },
  );
}

async function eventually<T>(fn: () => Promise<T> | T, ok: (v: T) => boolean, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (ok(v)) return v;
    if (Date.now() > deadline) throw new Error(`condition not met in time; last value: ${JSON.stringify(v).slice(0, 300)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('audit service: bus → event store (real NATS JetStream)', () => {
  jest.setTimeout(60_000);
  let nc: NatsConnection;
  let store: ChainedEventStore;
  let publisher: DurableEventPublisher;
  const apps: INestApplicationContext[] = [];
  const recorders = () => apps.map((a) => a.get(EventRecorder));
  const sum = (f: (r: EventRecorder) => number) => recorders().reduce((n, r) => n + f(r), 0);

  /** Every stored stream of these sessions, with its chain and stored-once checks done. */
  async function expectStoredInOrder(published: ChaperoneEvent[]): Promise<void> {
    for (const s of new Set(published.map((e) => e.sessionId))) {
      const want = published.filter((e) => e.sessionId === s).map((e) => e.eventId);
      const stored = await eventually(
        () => store.readStream(streamFor(s)),
        (r: RecordedEvent[]) => r.length >= want.length,
      );
      expect(stored.map((r) => r.eventId)).toEqual(want);
    }
    const report = await verifyStore(store, { publicKey: generateCheckpointKeyPair().publicKey });
    expect(report.problems).toEqual([]);
  }

  beforeAll(async () => {
    nc = await connectBus(servers, 'audit-int-test');
    const jsm = await nc.jetstreamManager();
    await ensureEventsStream(jsm, subjects, limits);
    // Consumers as the previous version left them: one message in flight, 30 s ack wait.
    for (let p = 0; p < EVENT_PARTITIONS; p++) {
      await jsm.consumers.add(subjects.eventsStream, {
        durable_name: subjects.auditConsumer(p),
        filter_subject: subjects.eventsInPartition(p),
        ack_policy: AckPolicy.Explicit,
        deliver_policy: DeliverPolicy.All,
        max_ack_pending: 1,
        ack_wait: nanos(30_000),
        max_deliver: -1,
      });
    }
    store = chainedEventStore(await JetStreamEventStore.create(nc, { streamName: subjects.evidenceStream, subjectPrefix: subjects.evidenceSubjectPrefix }));
    publisher = new DurableEventPublisher(nc, subjects, 2000);
    apps.push(await startAudit(), await startAudit());
  }, 30_000);

  afterAll(async () => {
    for (const app of apps) await app.close();
    const jsm = await nc.jetstreamManager();
    await jsm.streams.delete(subjects.eventsStream);
    await jsm.streams.delete(subjects.evidenceStream);
    await jsm.streams.delete(`KV_${subjects.auditLeaseBucket}`);
    // The module's reconciler keeps a lease and reads the ingress replicas' presence in KV buckets too.
    for (const bucket of [subjects.reconcilerLeaseBucket, subjects.ingressReplicaBucket]) await jsm.streams.delete(`KV_${bucket}`).catch(() => false);
    await nc.drain();
  });

  it('given two replicas, they share the partitions, one writer each, on consumers brought to the batching configuration', async () => {
    const held = await eventually(
      () => recorders().map((r) => r.partitions),
      (ps) => ps.every((p) => p.length === EVENT_PARTITIONS / 2),
    );
    expect(held.flat().sort()).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    const jsm = await nc.jetstreamManager();
    for (let p = 0; p < EVENT_PARTITIONS; p++) {
      expect((await jsm.consumers.info(subjects.eventsStream, subjects.auditConsumer(p))).config).toMatchObject({
        max_ack_pending: BATCH_MAX_MESSAGES,
        ack_wait: nanos(ACK_WAIT_MS),
      });
    }
  });

  it('given events of sessions on every partition, every event is stored exactly once, in bus order per session, chained', async () => {
    const sessions = sessionsOnEveryPartition('int', 4);
    const published: ChaperoneEvent[] = [];
    for (let n = 0; n < 20; n++) {
      await Promise.all(
        sessions.map((s) => {
          const e = event(s, n);
          published.push(e);
          return publisher.publish(e);
        }),
      );
    }
    await expectStoredInOrder(published);
    expect(sum((r) => r.stored.get('RequestCompleted') ?? 0)).toBe(published.length);
    expect(recorders().every((r) => (r.stored.get('RequestCompleted') ?? 0) > 0)).toBe(true); // both wrote
  });

  it('given a message carrying several events of one session, they are all stored, in order', async () => {
    const s = `array-${randomUUID().slice(0, 6)}`;
    const [one, two, three, four] = [event(s, 1), event(s, 2), event(s, 3), event(s, 4)];
    await publisher.publish(one);
    await nc.jetstream().publish(subjects.event('RequestCompleted', s), encodeJson([two, three]), { msgID: randomUUID() });
    await publisher.publish(four);
    await expectStoredInOrder([one, two, three, four]);
  });

  it('given a message carrying events of two sessions of one partition (a group commit), each session\'s are stored on its stream, in order', async () => {
    const s = `group-${randomUUID().slice(0, 6)}`;
    const t = sessionBeside(s);
    const [one, two, three, four] = [event(s, 1), event(t, 1), event(s, 2), event(t, 2)];
    await nc.jetstream().publish(subjects.event('RequestCompleted', s), encodeJson([one, two, three, four]), { msgID: randomUUID() });
    await expectStoredInOrder([one, two, three, four]);
  });

  it('given a session\'s events arriving one by one within the linger, they are stored together as one message', async () => {
    const [session] = sessionsOnEveryPartition('linger');
    const jsm = await nc.jetstreamManager();
    const messagesBefore = (await jsm.streams.info(subjects.evidenceStream)).state.messages;
    const published = Array.from({ length: 5 }, (_, n) => event(session as string, n));
    await Promise.all(published.map((e) => publisher.publish(e)));
    await expectStoredInOrder(published);
    const stored = await store.readStream(streamFor(session as string));
    expect(new Set(stored.map((e) => e.globalPosition)).size).toBe(1);
    expect((await jsm.streams.info(subjects.evidenceStream)).state.messages).toBe(messagesBefore + 1);
  });

  it('given the same event delivered again beyond the bus dedup (another message id), it is stored once', async () => {
    const s = `dup-${randomUUID().slice(0, 6)}`;
    const e = event(s, 1);
    await publisher.publish(e);
    await eventually(() => store.readStream(streamFor(s)), (r: RecordedEvent[]) => r.length === 1);
    const duplicatesBefore = sum((r) => r.duplicates);
    await nc.jetstream().publish(subjects.event(e.type, s), encodeJson(e), { msgID: randomUUID() });
    await eventually(() => sum((r) => r.duplicates), (n: number) => n === duplicatesBefore + 1);
    expect(await store.readStream(streamFor(s))).toHaveLength(1);
  });

  it('given an event stored before the stream\'s tail, published again in a new message (a producer that lost its acknowledgement), it is stored once', async () => {
    const s = `retry-${randomUUID().slice(0, 6)}`;
    const [lead, first, second] = [event(s, 1), event(s, 2), event(s, 3)];
    // Stored inside a message led by another event: the store's dedup window knows only `lead`.
    await publisher.publishAll([lead, first]);
    await publisher.publish(second);
    await eventually(() => store.readStream(streamFor(s)), (r: RecordedEvent[]) => r.length === 3);
    const duplicatesBefore = sum((r) => r.duplicates);
    // The retry: the same event, in a message of its own with another id, after the tail moved on.
    await nc.jetstream().publish(subjects.event(first.type, s), encodeJson([first]), { msgID: randomUUID() });
    await eventually(() => sum((r) => r.duplicates), (n: number) => n === duplicatesBefore + 1);
    expect((await store.readStream(streamFor(s))).map((r) => r.eventId)).toEqual([lead.eventId, first.eventId, second.eventId]);
  });

  it('given a malformed message (or an array mixing partitions), it is rejected (not stored) and the partition keeps flowing', async () => {
    const s = `bad-${randomUUID().slice(0, 6)}`;
    const rejectedBefore = sum((r) => r.rejected);
    await nc.jetstream().publish(subjects.event('RequestCompleted', s), encodeJson({ type: 'RequestCompleted', secret: 'x' }));
    await nc.jetstream().publish(subjects.event('RequestCompleted', s), encodeJson([event(s, 1), event(sessionBeside(s, false), 1)]));
    const good = event(s, 2);
    await publisher.publish(good);
    const stored = await eventually(() => store.readStream(streamFor(s)), (r: RecordedEvent[]) => r.length === 1);
    expect(stored[0]?.eventId).toBe(good.eventId);
    await eventually(() => sum((r) => r.rejected), (n: number) => n === rejectedBefore + 2);
  });

  it('given one replica is closed, the other takes its partitions over at its next lease round, and events keep flowing', async () => {
    const closing = apps.shift() as INestApplicationContext;
    const closedAt = Date.now();
    await closing.close();
    const survivor = recorders()[0] as EventRecorder;
    await eventually(() => survivor.partitions, (p) => p.length === EVENT_PARTITIONS, 5000);
    const takeoverMs = Date.now() - closedAt;
    const published = sessionsOnEveryPartition('after-close').map((s) => event(s, 1));
    for (const e of published) await publisher.publish(e);
    await expectStoredInOrder(published);
    console.info(`[audit] partitions handed over ${takeoverMs} ms after a replica began to close`);
  });

  it('given the audit service was down, it catches up from where it stopped', async () => {
    for (const app of apps.splice(0)) await app.close();
    const s = `down-${randomUUID().slice(0, 6)}`;
    const events = [event(s, 1), event(s, 2), event(s, 3)];
    for (const e of events) await publisher.publish(e);
    expect(await store.readStream(streamFor(s))).toHaveLength(0);
    apps.push(await startAudit());
    await expectStoredInOrder(events);
  });

  it('given a writer that crashed after storing part of its batch, the next one stores only what is missing', async () => {
    for (const app of apps.splice(0)) await app.close();
    const js = nc.jetstream();
    const onBus = async (payload: ChaperoneEvent | ChaperoneEvent[]) => {
      const first = Array.isArray(payload) ? (payload[0] as ChaperoneEvent) : payload;
      return (await js.publish(subjects.event(first.type, first.sessionId), encodeJson(payload), { msgID: randomUUID() })).seq;
    };
    // Session A: four messages, the first two stored. Session B: a message of two events, the
    // first stored (the append was cut between them). Session C: everything stored, the
    // acknowledgement lost. Session D: nothing stored.
    const [a, b, c, d] = ['a', 'b', 'c', 'd'].map((x) => `crash-${x}-${randomUUID().slice(0, 6)}`) as [string, string, string, string];
    const aEvents = [1, 2, 3, 4].map((n) => event(a, n));
    const bEvents = [event(b, 1), event(b, 2)];
    const cEvents = [event(c, 1), event(c, 2)];
    const dEvents = [event(d, 1)];
    const aSeqs: number[] = [];
    for (const e of aEvents) aSeqs.push(await onBus(e));
    const bSeq = await onBus(bEvents);
    const cSeqs = [await onBus(cEvents[0] as ChaperoneEvent), await onBus(cEvents[1] as ChaperoneEvent)];
    await onBus(dEvents[0] as ChaperoneEvent);
    // What the crashed writer had stored, exactly as it stores it.
    const previous = chainedEventStore(await JetStreamEventStore.create(nc, { streamName: subjects.evidenceStream, subjectPrefix: subjects.evidenceSubjectPrefix }));
    const stored = (s: string, events: ChaperoneEvent[], seqs: number[]) =>
      previous.append(streamFor(s), events.map((e, i) => toNewEvent({ event: e, busSequence: seqs[i] as number }, partitionOf(s))), { expectedRevision: 'no_stream' });
    await stored(a, aEvents.slice(0, 2), aSeqs);
    await stored(b, bEvents.slice(0, 1), [bSeq]);
    await stored(c, cEvents, cSeqs);

    apps.push(await startAudit());
    await expectStoredInOrder([...aEvents, ...bEvents, ...cEvents, ...dEvents]);
    await eventually(() => sum((r) => r.duplicates), (n) => n === 5);
    expect(sum((r) => r.stored.get('RequestCompleted') ?? 0)).toBe(2 + 1 + 0 + 1);
  });
});
