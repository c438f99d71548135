import { randomUUID } from 'node:crypto';
import type { NatsConnection } from 'nats';
import { Subjects, type ChaperoneEvent } from '@chaperone/contracts';
import { connectBus } from './connect';
import { decodeJson } from './codec';
import { EventPublisher, MSG_ID_HEADER } from './event-publisher';
import { respondToHealth } from './health-responder';

const servers = [process.env['NATS_URL'] ?? 'nats://127.0.0.1:4222'];

describe('EventPublisher (real NATS)', () => {
  let nc: NatsConnection;
  beforeAll(async () => {
    nc = await connectBus(servers, 'bus-int-test');
  });
  afterAll(async () => {
    await nc.drain();
  });

  it('publishes an event on its type subject with its id as the message id', async () => {
    const event: ChaperoneEvent = {
      eventId: randomUUID(),
      schemaVersion: 1,
      type: 'RequestCompleted',
      time: new Date().toISOString(),
      requestId: 'r1',
      sessionId: 's1',
      traceId: 't1',
      identity: null,
      payload: { outcome: 'forwarded', status: 200, bytesOut: 10, durationMs: 1.5 },
    };
    const sub = nc.subscribe(Subjects.event('RequestCompleted'), { max: 1 });
    new EventPublisher(nc).publish(event);
    for await (const msg of sub) {
      expect(decodeJson(msg.data)).toEqual(event);
      expect(msg.headers?.get(MSG_ID_HEADER)).toBe(event.eventId);
    }
  });

  it('answers health pings for its service', async () => {
    const sub = respondToHealth(nc, 'audit', 'instance-1', () => ({ consumed: 3 }));
    const reply = await nc.request(Subjects.health('audit'), new Uint8Array(), { timeout: 2000 });
    expect(decodeJson(reply.data)).toEqual({ service: 'audit', instance: 'instance-1', status: 'ok', details: { consumed: 3 } });
    sub.unsubscribe();
  });
});
