import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { ChildProcess } from 'node:child_process';
import type { NatsConnection } from 'nats';
import { busSubjects, EVENT_PARTITIONS, partitionOf, type ChaperoneEvent } from '@chaperone/contracts';
import { connectBus, decodeJson, DurableEventPublisher, ensureEventsStream } from '@chaperone/bus';
import { chainedEventStore, JetStreamEventStore, type EventStore, type RecordedEvent } from '@chaperone/event-store';
import { generateCheckpointKeyPair, verifyStore } from '@chaperone/evidence-chain';
import { streamFor } from './stream-name';

// The audit service as it runs: its built entry point, started the way `npm start` starts it.
// eslint-disable-next-line @typescript-eslint/no-require-imports, @nx/enforce-module-boundaries
const stack = require('../../../../scripts/stack.js') as StackModule;
interface ServiceHandle {
  child: ChildProcess;
  output: string[];
}
interface StackModule {
  ROOT: string;
  startService(name: string, env: Record<string, string>): Promise<ServiceHandle>;
  stopService(s: ServiceHandle, signal?: string): Promise<void>;
}

const natsUrl = process.env['NATS_URL'] ?? 'nats://127.0.0.1:4222';
const subjects = busSubjects(`audit-kill-${randomUUID().slice(0, 8)}`);
const limits = { maxBytes: 1 << 26, maxMsgs: -1 };
const env = { CHAPERONE_NATS_URL: natsUrl, CHAPERONE_BUS_PREFIX: subjects.prefix, CHAPERONE_HEALTH_PORT: '0', CHAPERONE_LOG_FORMAT: 'json' };

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

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

async function eventually<T>(fn: () => Promise<T>, ok: (v: T) => boolean, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (ok(v)) return v;
    if (Date.now() > deadline) throw new Error(`condition not met in time; last value: ${JSON.stringify(v).slice(0, 300)}`);
    await sleep(100);
  }
}

describe('audit service processes: a replica killed while events flow (real NATS, SIGKILL)', () => {
  jest.setTimeout(120_000);
  let nc: NatsConnection;
  let store: EventStore;
  const running: ServiceHandle[] = [];

  /** Holder (replica instance id) of each partition's lease, as the bucket says now. */
  async function holders(): Promise<Array<string | undefined>> {
    const kv = await nc.jetstream().views.kv(subjects.auditLeaseBucket, { bindOnly: true });
    return Promise.all(
      Array.from({ length: EVENT_PARTITIONS }, async (_, p) => {
        const e = await kv.get(`partition.${p}`);
        return e?.operation === 'PUT' ? (decodeJson(e.value) as { holder: string }).holder : undefined;
      }),
    );
  }
  /** Instance ids carry the process id: `<host>-<pid>-<random>`. */
  const heldBy = (h: Array<string | undefined>, child: ChildProcess) => h.flatMap((holder, p) => (holder?.includes(`-${child.pid}-`) ? [p] : []));

  beforeAll(async () => {
    const main = join(stack.ROOT, 'services', 'audit', 'dist', 'main.js');
    if (!existsSync(main)) throw new Error(`${main} is missing: build first (npx nx run @chaperone/audit-service:build)`);
    nc = await connectBus([natsUrl], 'audit-kill-test');
    await ensureEventsStream(await nc.jetstreamManager(), subjects, limits);
    store = chainedEventStore(await JetStreamEventStore.create(nc, { streamName: subjects.evidenceStream, subjectPrefix: subjects.evidenceSubjectPrefix }));
  });

  afterAll(async () => {
    for (const s of running) await stack.stopService(s, 'SIGKILL');
    const jsm = await nc.jetstreamManager();
    for (const name of [subjects.eventsStream, subjects.evidenceStream, `KV_${subjects.auditLeaseBucket}`, `KV_${subjects.reconcilerLeaseBucket}`, `KV_${subjects.ingressReplicaBucket}`]) await jsm.streams.delete(name).catch(() => undefined);
    await nc.drain();
  });

  it('given two replicas sharing the partitions, when one is SIGKILLed mid-flow, the other resumes its partitions within seconds and every event is stored once, in order', async () => {
    const [a, b] = [await stack.startService('audit', env), await stack.startService('audit', env)];
    running.push(a, b);
    await eventually(holders, (h) => heldBy(h, a.child).length === 4 && heldBy(h, b.child).length === 4, 20_000);

    // Three sessions per partition; rounds of one event per session (in parallel: sessions are
    // independent, a session's events follow each other), throughout.
    const sessions: string[] = [];
    while (sessions.length < 3 * EVENT_PARTITIONS) {
      const s = `kill-${randomUUID().slice(0, 8)}`;
      if (sessions.filter((x) => partitionOf(x) === partitionOf(s)).length < 3) sessions.push(s);
    }
    const publisher = new DurableEventPublisher(nc, subjects, 5000);
    const published: ChaperoneEvent[] = [];
    let flowing = true;
    const flow = (async () => {
      for (let n = 0; flowing; n++) {
        const round = sessions.map((s) => event(s, n));
        await Promise.all(round.map((e) => publisher.publish(e)));
        published.push(...round);
        await sleep(10);
      }
    })();

    await sleep(2000);
    const killedPartitions = heldBy(await holders(), a.child);
    await stack.stopService(a, 'SIGKILL');
    const killedAt = Date.now(); // it has exited: nothing stored from now on is its doing
    running.splice(running.indexOf(a), 1);
    await sleep(8000);
    flowing = false;
    await flow;

    // Every event stored exactly once, in bus (publish) order per session; every chain verifies.
    const expected = new Map<string, string[]>();
    for (const e of published) expected.set(e.sessionId, [...(expected.get(e.sessionId) ?? []), e.eventId]);
    const streams = new Map<string, RecordedEvent[]>();
    for (const [s, ids] of expected) {
      const stored = await eventually(() => store.readStream(streamFor(s)), (r) => r.length >= ids.length, 30_000);
      expect(stored.map((r) => r.eventId)).toEqual(ids);
      streams.set(s, stored);
    }
    const report = await verifyStore(store, { publicKey: generateCheckpointKeyPair().publicKey });
    expect(report.problems).toEqual([]);
    expect(report.events).toBe(published.length);
    expect(heldBy(await holders(), b.child)).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);

    // How long each of the killed replica's partitions stood still: from the kill to the first
    // event the other replica stored there.
    const resumedAfter = killedPartitions.map((p) => {
      const after = [...streams.entries()]
        .filter(([s]) => partitionOf(s) === p)
        .flatMap(([, events]) => events.map((e) => Date.parse(e.recordedAt)))
        .filter((t) => t >= killedAt);
      return Math.min(...after) - killedAt;
    });
    expect(killedPartitions).toHaveLength(4);
    if (process.env['AUDIT_TEST_LOGS']) console.info(b.output.filter((l) => /partition|lease/i.test(l)).join('\n'));
    if (process.env['AUDIT_TEST_LOGS']) console.info(`killed at ${new Date(killedAt).toISOString()}`);
    console.info(
      `[audit failover] ${published.length} events; partitions ${killedPartitions.join(',')} of the killed replica resumed after ` +
        `${resumedAfter.map((ms) => `${ms} ms`).join(', ')} (max ${Math.max(...resumedAfter)} ms)`,
    );
  });
});
