import { randomUUID } from 'node:crypto';
import type { KV, NatsConnection } from 'nats';
import { busSubjects, type ChaperoneEvent } from '@chaperone/contracts';
import { connectBus, ensureEventsStream } from '@chaperone/bus';
import { JetStreamEventStore, type EventStore, type NewEvent } from '@chaperone/event-store';
import { outcomeUnknownEventId } from './open-requests';
import { ReconcileTerm } from './reconcile-term';
import { ReplicaLiveness } from './replica-liveness';

const servers = [process.env['NATS_URL'] ?? 'nats://127.0.0.1:4222'];
const subjects = busSubjects(`reconcile-term-int-${randomUUID().slice(0, 8)}`);
const identity = { subject: 'bot', username: 'agent:bot', groups: [], agent: 'bot', issuer: 'https://issuer' };
/** Requests of the live replica stored after the lost request's decision, in appends of this many. */
const LATER_REQUESTS = 360;
const PER_APPEND = 40;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function event(type: string, sessionId: string, requestId: string, payload: Record<string, unknown>): NewEvent {
  const data = { eventId: randomUUID(), schemaVersion: 1, time: new Date().toISOString(), requestId, sessionId, traceId: `trace-${requestId}`, identity, type, payload };
  return { eventId: data.eventId, type, data };
}

/** A request's intercept and decision, as the audit service stores them (one append). */
function admitted(sessionId: string, requestId: string, gateway: string): NewEvent[] {
  const intercept = event('RequestIntercepted', sessionId, requestId, { method: 'GET', path: '/api/v1/namespaces/default/pods/p', query: '', request: { verb: 'get' }, userAgent: 'kubectl', sourceAddress: '', upgrade: false, gateway });
  return [intercept, event('PolicyDecided', sessionId, requestId, { interceptEventId: intercept.eventId, decision: { effect: 'allow' } })];
}

const completed = (sessionId: string, requestId: string): NewEvent => event('RequestCompleted', sessionId, requestId, { outcome: 'forwarded', status: 200, bytesOut: 2, durationMs: 1 });

/** The store, counting the events (or event refs) its reads hand back to the reconciler. */
function countingReads(store: EventStore): { store: EventStore; eventsRead: () => number } {
  let read = 0;
  const counted = new Proxy(store, {
    get(target, prop) {
      const value: unknown = Reflect.get(target, prop);
      if (typeof value !== 'function') return value;
      const fn = value as (...args: unknown[]) => unknown;
      if (prop === 'readStream' || prop === 'readStreamRefs' || prop === 'readAll') {
        return async (...args: unknown[]) => {
          const events = (await fn.apply(target, args)) as unknown[];
          read += events.length;
          return events;
        };
      }
      if (prop === 'readLastEvent') {
        return async (...args: unknown[]) => {
          const last = await fn.apply(target, args);
          if (last !== undefined) read++;
          return last;
        };
      }
      return fn.bind(target);
    },
  });
  return { store: counted, eventsRead: () => read };
}

describe('a reconcile term closing a request of a long session (real NATS JetStream)', () => {
  jest.setTimeout(60_000);
  let nc: NatsConnection;
  let store: JetStreamEventStore;
  let kv: KV;
  let liveness: ReplicaLiveness;

  beforeAll(async () => {
    nc = await connectBus(servers, 'reconcile-term-int-test');
    await ensureEventsStream(await nc.jetstreamManager(), subjects, { maxBytes: 1 << 24, maxMsgs: -1 });
    store = await JetStreamEventStore.create(nc, { streamName: subjects.evidenceStream, subjectPrefix: subjects.evidenceSubjectPrefix });
    kv = await nc.jetstream().views.kv(subjects.reconcilerLeaseBucket, { history: 1 });
    liveness = await ReplicaLiveness.open(nc, subjects);
  });

  afterAll(async () => {
    liveness.close();
    const jsm = await nc.jetstreamManager();
    for await (const si of jsm.streams.list()) if (si.config.name.includes(subjects.prefix) || si.config.name.includes(subjects.eventsStream.replace(/_EVENTS$/, ''))) await jsm.streams.delete(si.config.name);
    await kv.destroy().catch(() => undefined);
    await nc.drain();
  });

  it('given a lost replica\'s request followed by many requests in its session stream, when closed, then one RequestOutcomeUnknown made from its decision, read where the decision is stored and not with the session after it', async () => {
    const sessionId = `s-${randomUUID().slice(0, 8)}`;
    const stream = `session-${sessionId}`;
    const lost = `ingress-lost-${randomUUID().slice(0, 6)}`;
    const first = admitted(sessionId, 'r-lost', lost);
    let revision = -1;
    const append = async (events: NewEvent[]) => {
      await store.append(stream, events, { expectedRevision: revision === -1 ? 'no_stream' : revision });
      revision += events.length;
    };
    await append(first);
    for (let i = 0; i < LATER_REQUESTS; i += PER_APPEND) {
      const batch: NewEvent[] = [];
      for (let j = i; j < i + PER_APPEND; j++) batch.push(...admitted(sessionId, `r-${j}`, 'ingress-alive'), completed(sessionId, `r-${j}`));
      await append(batch);
    }
    const counted = countingReads(store);
    const published: ChaperoneEvent[] = [];
    const warnings: string[] = [];
    const term = new ReconcileTerm({
      store: counted.store,
      jsm: await nc.jetstreamManager(),
      subjects,
      kv,
      liveness,
      publish: async (e) => void published.push(e),
      valid: () => true,
      options: { replicaSilenceMs: 300, maxRequestMs: 600_000, roundMs: 100 },
      log: { log: () => undefined, warn: (m) => void warnings.push(m) },
    });
    await term.start();
    try {
      const deadline = Date.now() + 20_000;
      while (published.length === 0 && Date.now() < deadline) await sleep(100);
      await sleep(500); // a few more rounds: the request is closed once
    } finally {
      await term.stop();
    }

    expect(warnings).toEqual([]);
    expect(published).toHaveLength(1);
    expect(published[0]).toMatchObject({
      eventId: outcomeUnknownEventId('r-lost'),
      type: 'RequestOutcomeUnknown',
      requestId: 'r-lost',
      sessionId,
      traceId: 'trace-r-lost',
      identity,
      payload: { decisionEventId: first[1]?.eventId, reachedCluster: 'unknown', reason: expect.stringContaining(`ingress replica ${lost}`) },
    });
    // The decision's append (2 events) and the stream's last event; the session holds 3 × LATER_REQUESTS more.
    expect(counted.eventsRead()).toBeLessThanOrEqual(3);
  });
});
