import { randomUUID } from 'node:crypto';
import { context, ROOT_CONTEXT, trace, TraceFlags } from '@opentelemetry/api';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import type { JetStreamManager, NatsConnection } from 'nats';
import { busSubjects, partitionOf, type BusSubjects, type ChaperoneEvent } from '@chaperone/contracts';
import { answerCarriedBy, MAX_ANSWER_IN_SUBJECT } from './answer-in-subject';
import { connectBus } from './connect';
import { decodeJson } from './codec';
import { DurableEventPublisher, EventNotRecorded } from './durable-event-publisher';
import { ensureEventsStream } from './events-stream';
import { GroupCommit } from './group-commit';

const servers = [process.env['NATS_URL'] ?? 'nats://127.0.0.1:4222'];

function event(sessionId: string, type: 'RequestIntercepted' | 'RequestCompleted' = 'RequestCompleted'): ChaperoneEvent {
  const base = { eventId: randomUUID(), schemaVersion: 1 as const, time: new Date().toISOString(), requestId: randomUUID(), sessionId, traceId: 't', identity: null };
  if (type === 'RequestCompleted') return { ...base, type, payload: { outcome: 'forwarded', status: 200, bytesOut: 1, durationMs: 1 } };
  return { ...base, type, payload: { request: { isResourceRequest: false, path: '/version', verb: 'get' }, method: 'GET', path: '/version', sourceAddress: '' } } as unknown as ChaperoneEvent;
}

/** A session id of the given partition. */
function sessionIn(partition: number): string {
  for (;;) {
    const s = `s-${randomUUID().slice(0, 8)}`;
    if (partitionOf(s) === partition) return s;
  }
}

describe('GroupCommit: the writes of one event-loop round, one message per partition (real NATS JetStream)', () => {
  let nc: NatsConnection;
  let jsm: JetStreamManager;
  let subjects: BusSubjects;
  let publisher: DurableEventPublisher;

  beforeAll(async () => {
    nc = await connectBus(servers, 'group-commit-test');
    jsm = await nc.jetstreamManager();
  });
  beforeEach(async () => {
    subjects = busSubjects(`gc-int-${randomUUID().slice(0, 8)}`);
    await ensureEventsStream(jsm, subjects, { maxBytes: 1024 * 1024, maxMsgs: 50 });
    publisher = new DurableEventPublisher(nc, subjects, 2000);
  });
  afterEach(async () => {
    await jsm.streams.delete(subjects.eventsStream);
  });
  afterAll(async () => {
    await nc.drain();
  });

  async function stored(): Promise<{ subject: string; msgId: string | undefined; traceparent: string | undefined; body: unknown }[]> {
    const info = await jsm.streams.info(subjects.eventsStream);
    const out = [];
    for (let seq = info.state.first_seq; seq <= info.state.last_seq && info.state.messages > 0; seq++) {
      const m = await jsm.streams.getMessage(subjects.eventsStream, { seq });
      out.push({ subject: m.subject, msgId: m.header.get('Nats-Msg-Id'), traceparent: m.header.get('traceparent') || undefined, body: decodeJson(m.data) });
    }
    return out;
  }

  it('given writes of one partition in one round, then one message holds them all in write order, its subject named by the last, and every writer hears "stored"', async () => {
    const commit = new GroupCommit(publisher, 'loop');
    const [a, b] = [sessionIn(3), sessionIn(3)];
    const first: [ChaperoneEvent, ChaperoneEvent] = [event(a, 'RequestIntercepted'), event(a)];
    const second: [ChaperoneEvent] = [event(b)];
    const third: [ChaperoneEvent] = [event(a)];
    const results = await Promise.all([commit.write(first), commit.write(second), commit.write(third)]);
    expect(results).toEqual([{ by: 'stored' }, { by: 'stored' }, { by: 'stored' }]);
    const messages = await stored();
    expect(messages).toHaveLength(1);
    expect(messages[0]?.body).toEqual([...first, ...second, ...third]);
    expect(messages[0]?.msgId).toMatch(/^group-[0-9a-f]{40}$/);
    expect(messages[0]?.subject).toBe(`${subjects.prefix}.events.p3.RequestCompleted`);
  });

  it('given writes of two partitions, then one message per partition; writes of a later round go in a message of their own', async () => {
    const commit = new GroupCommit(publisher, 'loop');
    await Promise.all([commit.write([event(sessionIn(1))]), commit.write([event(sessionIn(6))]), commit.write([event(sessionIn(1))])]);
    await commit.write([event(sessionIn(1))]);
    const messages = await stored();
    expect(messages.map((m) => m.subject.split('.')[2])).toEqual(['p1', 'p6', 'p1']);
    expect(messages.map((m) => (Array.isArray(m.body) ? m.body.length : 1))).toEqual([2, 1, 1]);
  });

  it('given a lone write, then its message id is its event\'s, and the same write again is stored once', async () => {
    const commit = new GroupCommit(publisher, 'loop');
    const lone: [ChaperoneEvent] = [event(sessionIn(2))];
    await commit.write(lone);
    await commit.write(lone);
    const messages = await stored();
    expect(messages.map((m) => m.msgId)).toEqual([lone[0].eventId]);
  });

  it('given an event written again last in a group with others (a retry after a failed group that was stored after all), then the others are stored, not dropped as a duplicate', async () => {
    const commit = new GroupCommit(publisher, 'loop');
    const s = sessionIn(7);
    const [a, b, c] = [event(s), event(s), event(s)];
    await Promise.all([commit.write([a]), commit.write([b])]);
    await Promise.all([commit.write([c]), commit.write([b])]);
    const events = (await stored()).flatMap((m) => (Array.isArray(m.body) ? m.body : [m.body])) as ChaperoneEvent[];
    expect(events.map((e) => e.eventId)).toEqual([a.eventId, b.eventId, c.eventId, b.eventId]);
  });

  it('given writes from two callbacks of one loop turn, then a "loop" round groups them and a "read" round sends each at its own microtask checkpoint', async () => {
    const fromTwoCallbacks = async (commit: GroupCommit, s: string) => {
      const writes: Promise<unknown>[] = [];
      // Two immediates queued together: one check phase, a microtask checkpoint after each (as two
      // sockets' reads would be). Timers due together may be split over two turns on a busy machine.
      await new Promise<void>((resolve) => {
        setImmediate(() => writes.push(commit.write([event(s)])));
        setImmediate(() => writes.push(commit.write([event(s)])));
        setImmediate(resolve);
      });
      await Promise.all(writes);
    };
    await fromTwoCallbacks(new GroupCommit(publisher, 'loop'), sessionIn(5));
    expect((await stored()).length).toBe(1);
    await fromTwoCallbacks(new GroupCommit(publisher, 'read'), sessionIn(5));
    expect((await stored()).length).toBe(3);
  });

  it('given more writes than a message may hold, then they are split in order', async () => {
    const commit = new GroupCommit(publisher, 'loop', { maxEvents: 3, maxChars: 1024 * 1024 });
    const s = sessionIn(2);
    const writes = Array.from({ length: 7 }, () => [event(s)] as [ChaperoneEvent]);
    await Promise.all(writes.map((w) => commit.write(w)));
    const messages = await stored();
    expect(messages.map((m) => (Array.isArray(m.body) ? m.body.length : 1))).toEqual([3, 3, 1]);
    expect(messages.flatMap((m) => (Array.isArray(m.body) ? m.body : [m.body]))).toEqual(writes.map((w) => w[0]));
  });

  it('given a lone write with an acknowledgeTo subject, then it is published with that reply subject and not waited on; in a group, it is waited on here', async () => {
    const commit = new GroupCommit(publisher, 'loop');
    const inbox = `_INBOX.${randomUUID()}`;
    const acks: unknown[] = [];
    const sub = nc.subscribe(inbox, { callback: (_e, m) => acks.push(decodeJson(m.data)) });
    const lone = await commit.write([event(sessionIn(4))], { acknowledgeTo: inbox });
    expect(lone).toEqual({ by: 'handed-off', acknowledgeTo: inbox });
    await nc.flush();
    for (let i = 0; i < 50 && acks.length === 0; i++) await new Promise((r) => setTimeout(r, 20));
    expect(acks).toEqual([expect.objectContaining({ stream: subjects.eventsStream, seq: 1 })]);
    const grouped = await Promise.all([commit.write([event(sessionIn(4))], { acknowledgeTo: inbox }), commit.write([event(sessionIn(4))], { acknowledgeTo: inbox })]);
    expect(grouped).toEqual([{ by: 'stored' }, { by: 'stored' }]);
    await nc.flush();
    expect(acks).toHaveLength(1);
    sub.unsubscribe();
  });

  it('given a lone write handing off an answer, then its acknowledgement comes to acknowledgeTo.<answer>; too long an answer, or a group, goes the usual way', async () => {
    const commit = new GroupCommit(publisher, 'loop');
    const inbox = `_INBOX.${randomUUID()}`;
    const acks: { subject: string; body: unknown }[] = [];
    const sub = nc.subscribe(`${inbox}.>`, { callback: (_e, m) => acks.push({ subject: m.subject, body: decodeJson(m.data) }) });
    const plain = nc.subscribe(inbox, { callback: (_e, m) => acks.push({ subject: m.subject, body: decodeJson(m.data) }) });
    const answer = { decision: 'allow', reason: 'a.b *' };
    expect(await commit.write([event(sessionIn(4))], { acknowledgeTo: inbox, answer })).toEqual({ by: 'answered' });
    const tooLong = { reason: 'x'.repeat(MAX_ANSWER_IN_SUBJECT) };
    expect(await commit.write([event(sessionIn(4))], { acknowledgeTo: inbox, answer: tooLong })).toEqual({ by: 'handed-off', acknowledgeTo: inbox });
    const grouped = await Promise.all([commit.write([event(sessionIn(4))], { acknowledgeTo: inbox, answer }), commit.write([event(sessionIn(4))], { acknowledgeTo: inbox, answer })]);
    expect(grouped).toEqual([{ by: 'stored' }, { by: 'stored' }]);
    await nc.flush();
    for (let i = 0; i < 50 && acks.length < 2; i++) await new Promise((r) => setTimeout(r, 20));
    expect(acks).toHaveLength(2);
    const carried = acks.find((a) => a.subject !== inbox);
    expect(answerCarriedBy((carried?.subject ?? '').slice(inbox.length + 1))).toEqual(answer);
    expect(carried?.body).toEqual(expect.objectContaining({ stream: subjects.eventsStream }));
    expect(acks.filter((a) => a.subject === inbox)).toHaveLength(1);
    sub.unsubscribe();
    plain.unsubscribe();
  });

  it('given the stream refuses the message, then every writer of it is refused, naming its own events and the reason', async () => {
    await jsm.streams.update(subjects.eventsStream, { ...(await jsm.streams.info(subjects.eventsStream)).config, max_msgs: 1 });
    const commit = new GroupCommit(publisher, 'loop');
    await commit.write([event(sessionIn(5))]);
    const s = sessionIn(5);
    const results = await Promise.allSettled([commit.write([event(s, 'RequestIntercepted'), event(s)]), commit.write([event(s)])]);
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected']);
    const [one, two] = results.map((r) => (r as PromiseRejectedResult).reason as EventNotRecorded);
    expect(one).toBeInstanceOf(EventNotRecorded);
    expect(one?.message).toBe('RequestIntercepted+RequestCompleted was not recorded: the events stream is full (the audit service is behind or down)');
    expect(two?.message).toBe('RequestCompleted was not recorded: the events stream is full (the audit service is behind or down)');
    expect(await stored()).toHaveLength(1);
  });

  it('given one write mixing partitions, then it is refused and nothing is published', async () => {
    const commit = new GroupCommit(publisher, 'loop');
    await expect(commit.write([event(sessionIn(0)), event(sessionIn(7))])).rejects.toThrow(/different partitions/);
    expect(await stored()).toHaveLength(0);
  });

  it('given a sampled trace, then the message carries the last writer\'s; unsampled, no context is entered (that would turn on promise hooks for good)', async () => {
    // A registered provider installs the context manager services use (AsyncLocalStorage).
    const provider = new NodeTracerProvider();
    provider.register();
    const entered = jest.spyOn(context, 'with');
    try {
      const commit = new GroupCommit(publisher, 'loop');
      const s = sessionIn(1);
      await commit.write([event(s)]);
      expect(entered).not.toHaveBeenCalled();
      const spanContext = { traceId: 'a'.repeat(32), spanId: 'b'.repeat(16), traceFlags: TraceFlags.SAMPLED };
      const sampled = trace.setSpanContext(ROOT_CONTEXT, spanContext);
      await context.with(sampled, () => commit.write([event(s)]));
      expect(entered).toHaveBeenCalledTimes(2); // the test's own, and the commit's
      expect((await stored()).map((m) => m.traceparent)).toEqual([undefined, `00-${'a'.repeat(32)}-${'b'.repeat(16)}-01`]);
    } finally {
      entered.mockRestore();
      await provider.shutdown();
      context.disable();
      trace.disable();
    }
  });
});
