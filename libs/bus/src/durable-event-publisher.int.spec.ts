import { randomUUID } from 'node:crypto';
import type { JetStreamManager, NatsConnection } from 'nats';
import { busSubjects, partitionOf, type ChaperoneEvent } from '@chaperone/contracts';
import { connectBus } from './connect';
import { decodeJson } from './codec';
import { DurableEventPublisher, EventNotRecorded } from './durable-event-publisher';
import { ensureEventsStream } from './events-stream';
import { respondToHealth } from './health-responder';

const servers = [process.env['NATS_URL'] ?? 'nats://127.0.0.1:4222'];
const subjects = busSubjects(`bus-int-${randomUUID().slice(0, 8)}`);

function completed(sessionId: string): ChaperoneEvent {
  return {
    eventId: randomUUID(),
    schemaVersion: 1,
    type: 'RequestCompleted',
    time: new Date().toISOString(),
    requestId: 'r1',
    sessionId,
    traceId: 't1',
    identity: null,
    payload: { outcome: 'forwarded', status: 200, bytesOut: 10, durationMs: 1.5 },
  };
}

describe('DurableEventPublisher (real NATS JetStream)', () => {
  let nc: NatsConnection;
  let jsm: JetStreamManager;
  beforeAll(async () => {
    nc = await connectBus(servers, 'bus-int-test');
    jsm = await nc.jetstreamManager();
    await ensureEventsStream(jsm, subjects, { maxBytes: 1024 * 1024, maxMsgs: 3 });
  });
  afterAll(async () => {
    await jsm.streams.delete(subjects.eventsStream);
    await nc.drain();
  });

  it('stores an event on its partition subject, once, even when published twice', async () => {
    const publisher = new DurableEventPublisher(nc, subjects, 2000);
    const event = completed('session-a');
    await publisher.publish(event);
    await publisher.publish(event);
    const info = await jsm.streams.info(subjects.eventsStream);
    expect(info.state.messages).toBe(1);
    const stored = await jsm.streams.getMessage(subjects.eventsStream, { seq: info.state.last_seq });
    expect(stored.subject).toBe(`${subjects.prefix}.events.p${partitionOf('session-a')}.RequestCompleted`);
    expect(decodeJson(stored.data)).toEqual(event);
  });

  it('refuses with EventNotRecorded once the backlog is full, instead of dropping evidence', async () => {
    const publisher = new DurableEventPublisher(nc, subjects, 2000);
    await publisher.publish(completed('s'));
    await publisher.publish(completed('s'));
    const refused = publisher.publish(completed('s'));
    await expect(refused).rejects.toBeInstanceOf(EventNotRecorded);
    await expect(refused).rejects.toThrow(/events stream is full/);
  });

  it('refuses when no events stream exists for the prefix', async () => {
    const other = busSubjects(`bus-none-${randomUUID().slice(0, 8)}`);
    const publisher = new DurableEventPublisher(nc, other, 1000);
    await expect(publisher.publish(completed('s'))).rejects.toBeInstanceOf(EventNotRecorded);
  });

  it('answers health pings for its service on its prefix', async () => {
    const sub = respondToHealth(nc, subjects, 'audit', 'instance-1', () => ({ consumed: 3 }));
    const reply = await nc.request(subjects.health('audit'), new Uint8Array(), { timeout: 2000 });
    expect(decodeJson(reply.data)).toEqual({ service: 'audit', instance: 'instance-1', status: 'ok', details: { consumed: 3 } });
    sub.unsubscribe();
  });
});

describe('DurableEventPublisher.publishAll (real NATS JetStream)', () => {
  const own = busSubjects(`bus-all-${randomUUID().slice(0, 8)}`);
  let nc: NatsConnection;
  let jsm: JetStreamManager;
  beforeAll(async () => {
    nc = await connectBus(servers, 'bus-int-test');
    jsm = await nc.jetstreamManager();
    await ensureEventsStream(jsm, own, { maxBytes: 1024 * 1024, maxMsgs: -1 });
  });
  afterAll(async () => {
    await jsm.streams.delete(own.eventsStream);
    await nc.drain();
  });

  it('stores events of one session as ONE message, a JSON array in order, named by the last event; a retry stores nothing new', async () => {
    const publisher = new DurableEventPublisher(nc, own, 2000);
    const first = completed('session-b');
    const last = { ...completed('session-b'), type: 'AuthenticationFailed', payload: { reason: 'expired', method: 'GET', path: '/', sourceAddress: '' } } as ChaperoneEvent;
    await publisher.publishAll([first, last]);
    await publisher.publishAll([first, last]);
    const info = await jsm.streams.info(own.eventsStream);
    expect(info.state.messages).toBe(1);
    const stored = await jsm.streams.getMessage(own.eventsStream, { seq: info.state.last_seq });
    expect(stored.subject).toBe(`${own.prefix}.events.p${partitionOf('session-b')}.AuthenticationFailed`);
    expect(stored.header.get('Nats-Msg-Id')).toBe(last.eventId);
    expect(decodeJson(stored.data)).toEqual([first, last]);
  });

  it('refuses events of different partitions, and publishes nothing', async () => {
    const publisher = new DurableEventPublisher(nc, own, 2000);
    const before = (await jsm.streams.info(own.eventsStream)).state.messages;
    expect(partitionOf('a')).not.toBe(partitionOf('b'));
    await expect(publisher.publishAll([completed('a'), completed('b')])).rejects.toThrow(/different partitions/);
    expect((await jsm.streams.info(own.eventsStream)).state.messages).toBe(before);
  });
});
