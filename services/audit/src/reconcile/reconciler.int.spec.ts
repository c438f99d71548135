import 'reflect-metadata';
import { randomUUID } from 'node:crypto';
import { NestFactory } from '@nestjs/core';
import type { INestApplicationContext } from '@nestjs/common';
import type { KV, NatsConnection } from 'nats';
import { busSubjects, type ChaperoneEvent } from '@chaperone/contracts';
import { connectBus, DurableEventPublisher, encodeJson, ensureEventsStream } from '@chaperone/bus';
import { chainedEventStore, JetStreamEventStore, type ChainedEventStore, type RecordedEvent } from '@chaperone/event-store';
import { generateCheckpointKeyPair, verifyStore } from '@chaperone/evidence-chain';
import { AuditModule } from '../audit.module';
import { streamFor } from '../record-events/stream-name';
import { outcomeUnknownEventId } from './open-requests';
import { Reconciler } from './reconciler';

const servers = [process.env['NATS_URL'] ?? 'nats://127.0.0.1:4222'];
const subjects = busSubjects(`reconcile-int-${randomUUID().slice(0, 8)}`);
const limits = { maxBytes: 1 << 26, maxMsgs: -1, publishTimeoutMs: 2000 };
const SILENCE_MS = 2000;
const identity = { subject: 'bot', username: 'agent:bot', groups: [], agent: 'bot', issuer: 'https://issuer' };

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function eventually<T>(fn: () => Promise<T> | T, ok: (v: T) => boolean, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (ok(v)) return v;
    if (Date.now() > deadline) throw new Error(`condition not met in time; last value: ${JSON.stringify(v).slice(0, 400)}`);
    await sleep(100);
  }
}

/** What an ingress and the policy service publish for one request: intercept and decision in one write. */
function admitted(sessionId: string, requestId: string, gateway: string): [ChaperoneEvent, ChaperoneEvent] {
  const envelope = { schemaVersion: 1 as const, time: new Date().toISOString(), requestId, sessionId, traceId: 't', identity };
  const interceptId = randomUUID();
  return [
    {
      ...envelope,
      eventId: interceptId,
      type: 'RequestIntercepted',
      payload: {
        method: 'DELETE',
        path: '/api/v1/namespaces/default/pods/p',
        query: '',
        request: { isResourceRequest: true, verb: 'delete', apiPrefix: 'api', apiGroup: '', apiVersion: 'v1', namespace: 'default', resource: 'pods', subresource: '', name: 'p', path: '/api/v1/namespaces/default/pods/p', parts: ['pods', 'p'] },
        userAgent: 'kubectl',
        sourceAddress: '127.0.0.1',
        upgrade: false,
        gateway,
      },
    },
    { ...envelope, eventId: randomUUID(), type: 'PolicyDecided', payload: { interceptEventId: interceptId, decision: { effect: 'allow', rule: 'r', policyVersion: 'sha256:0', reason: 'test', matchedRules: ['r'], mask: false, unmasked: false, maskProfile: 'default', record: 'metadata' } } },
  ];
}

function completed(sessionId: string, requestId: string): ChaperoneEvent {
  return {
    eventId: randomUUID(),
    schemaVersion: 1,
    time: new Date().toISOString(),
    requestId,
    sessionId,
    traceId: 't',
    identity,
    type: 'RequestCompleted',
    payload: { outcome: 'forwarded', status: 200, bytesOut: 2, durationMs: 1 },
  };
}

async function startAudit(): Promise<INestApplicationContext> {
  return NestFactory.createApplicationContext(
    AuditModule.forRoot({
      runtime: { service: 'audit', natsServers: servers, busPrefix: subjects.prefix, events: limits },
      eventStore: 'jetstream',
      eventStoreConnection: undefined,
      reconcile: { replicaSilenceMs: SILENCE_MS, maxRequestMs: 600_000, roundMs: 200 },
    }),
    { logger: process.env['AUDIT_TEST_LOGS'] ? ['log', 'warn', 'error'] : false },
  );
}

describe('reconciler: requests of a stopped ingress replica are closed as outcome unknown (real NATS JetStream)', () => {
  jest.setTimeout(90_000);
  let nc: NatsConnection;
  let store: ChainedEventStore;
  let publisher: DurableEventPublisher;
  let replicas: KV;
  let beating: NodeJS.Timeout | undefined;
  const apps: INestApplicationContext[] = [];

  beforeAll(async () => {
    nc = await connectBus(servers, 'reconcile-int-test');
    await ensureEventsStream(await nc.jetstreamManager(), subjects, limits);
    store = chainedEventStore(await JetStreamEventStore.create(nc, { streamName: subjects.evidenceStream, subjectPrefix: subjects.evidenceSubjectPrefix }));
    publisher = new DurableEventPublisher(nc, subjects, 2000);
    replicas = await nc.jetstream().views.kv(subjects.ingressReplicaBucket, { history: 1, ttl: 60 * 60 * 1000 });
    apps.push(await startAudit(), await startAudit());
  }, 30_000);

  afterAll(async () => {
    clearInterval(beating);
    for (const app of apps) await app.close();
    const jsm = await nc.jetstreamManager();
    for await (const si of jsm.streams.list()) if (si.config.name.includes(subjects.prefix) || si.config.name.includes(subjects.eventsStream.replace(/_EVENTS$/, ''))) await jsm.streams.delete(si.config.name);
    await nc.drain();
  });

  it('given one replica that stopped announcing itself and one alive, then each request the stopped one let through gets one RequestOutcomeUnknown; the live one\'s and completed ones none; verify counts it as ended', async () => {
    const session = `s-${randomUUID().slice(0, 8)}`;
    const alive = `ingress-alive-${randomUUID().slice(0, 6)}`;
    const dead = `ingress-dead-${randomUUID().slice(0, 6)}`;
    await replicas.put('replica.dead', encodeJson({ replica: dead })); // announced once, then killed
    beating = setInterval(() => void replicas.put('replica.alive', encodeJson({ replica: alive })).catch(() => undefined), 300);

    await publisher.publishAll(admitted(session, 'r-dead-1', dead));
    await publisher.publishAll(admitted(session, 'r-dead-2', dead));
    await publisher.publishAll(admitted(session, 'r-done', dead));
    await publisher.publish(completed(session, 'r-done'));
    await publisher.publishAll(admitted(session, 'r-alive', alive));

    const ends = (events: RecordedEvent[]) => events.filter((e) => e.type === 'RequestOutcomeUnknown' || e.type === 'RequestCompleted');
    const stored = await eventually(
      () => store.readStream(streamFor(session)),
      (es) => es.filter((e) => e.type === 'RequestOutcomeUnknown').length >= 2,
    );
    const unknown = stored.filter((e) => e.type === 'RequestOutcomeUnknown');
    expect(unknown.map((e) => (e.data as { requestId: string }).requestId).sort()).toEqual(['r-dead-1', 'r-dead-2']);
    expect(unknown.map((e) => e.eventId).sort()).toEqual([outcomeUnknownEventId('r-dead-1'), outcomeUnknownEventId('r-dead-2')].sort());
    expect(unknown[0]?.data).toMatchObject({ identity, payload: { reachedCluster: 'unknown', reason: expect.stringContaining(`ingress replica ${dead}`) } });
    expect(apps.map((a) => a.get(Reconciler).leading).filter(Boolean)).toHaveLength(1);

    // A second reconciler (or a redelivery) writing the same close again: stored once.
    await publisher.publish(unknown[0]?.data as ChaperoneEvent);
    await sleep(3 * SILENCE_MS);
    const after = await store.readStream(streamFor(session));
    expect(ends(after).map((e) => (e.data as { requestId: string }).requestId).sort()).toEqual(['r-dead-1', 'r-dead-2', 'r-done']);

    // verify: the live replica's request is still open (no grace: incomplete); once it completes, everything ended.
    const { publicKey } = generateCheckpointKeyPair();
    const open = await verifyStore(store, { publicKey, completeness: { graceSeconds: 0 } });
    expect(open.completeness?.incomplete.map((i) => i.requestId)).toEqual(['r-alive']);
    await publisher.publish(completed(session, 'r-alive'));
    await eventually(() => store.readStream(streamFor(session)), (es) => ends(es).length === 4);
    const closed = await verifyStore(store, { publicKey, completeness: { graceSeconds: 0 } });
    expect(closed.completeness?.incomplete).toEqual([]);
    expect(closed.problems).toEqual([]);
  });

  it('given a request stored without tags (by an older audit service), then its tags are derived from it and it is closed all the same', async () => {
    const session = `s-${randomUUID().slice(0, 8)}`;
    const dead = `ingress-dead-${randomUUID().slice(0, 6)}`;
    await replicas.put('replica.untagged', encodeJson({ replica: dead }));
    await store.append(streamFor(session), admitted(session, 'r-untagged', dead).map((e) => ({ eventId: e.eventId, type: e.type, data: e })), { expectedRevision: 'no_stream' });
    const stored = await eventually(
      () => store.readStream(streamFor(session)),
      (es) => es.some((e) => e.type === 'RequestOutcomeUnknown'),
    );
    expect(stored.map((e) => e.type)).toEqual(['RequestIntercepted', 'PolicyDecided', 'RequestOutcomeUnknown']);
    expect(stored[2]?.data).toMatchObject({ requestId: 'r-untagged', sessionId: session, identity, payload: { decisionEventId: stored[1]?.eventId } });
  });

  it('given the leader stops, then the other audit replica takes over and closes what the stopped ingress replica left', async () => {
    const leader = apps.findIndex((a) => a.get(Reconciler).leading);
    await apps[leader]?.close();
    apps.splice(leader, 1);
    const session = `s-${randomUUID().slice(0, 8)}`;
    const dead = `ingress-dead-${randomUUID().slice(0, 6)}`;
    await replicas.put('replica.dead2', encodeJson({ replica: dead }));
    await publisher.publishAll(admitted(session, 'r-after-failover', dead));
    const stored = await eventually(
      () => store.readStream(streamFor(session)),
      (es) => es.some((e) => e.type === 'RequestOutcomeUnknown'),
      30_000,
    );
    expect(stored.filter((e) => e.type === 'RequestOutcomeUnknown').map((e) => e.eventId)).toEqual([outcomeUnknownEventId('r-after-failover')]);
  });
});
