import { randomUUID } from 'node:crypto';
import { connect, type NatsConnection } from 'nats';
import { JetStreamEventStore, type NewEvent } from '@chaperone/event-store';
import { emptyReadModel } from '../read-model/read-model';
import { catchUp } from './catch-up';

const servers = [process.env['NATS_URL'] ?? 'nats://127.0.0.1:4222'];

describe('catchUp (real NATS JetStream store)', () => {
  let nc: NatsConnection;
  let store: JetStreamEventStore;
  const id = randomUUID().replace(/-/g, '').slice(0, 12);
  const streamName = `TEST_REPORTS_CATCHUP_${id}`;

  beforeAll(async () => {
    nc = await connect({ servers, name: 'reports-catch-up-test' });
    store = await JetStreamEventStore.create(nc, { streamName, subjectPrefix: `test-reports-catchup-${id}` });
  });
  afterAll(async () => {
    await store.close();
    await (await nc.jetstreamManager()).streams.delete(streamName).catch(() => undefined);
    await nc.drain();
  });

  const events = (n: number): NewEvent[] => Array.from({ length: n }, (_, i) => ({ eventId: randomUUID(), type: 'Unrelated', data: { i } }));

  it('given more events at one position than a page holds, when caught up in small pages, then every event is applied once, and a later catch-up takes only the new ones', async () => {
    // One append of five events is one stored message: five events at one position.
    await store.append('session-catch-up', events(5));
    const model = emptyReadModel();
    expect(await catchUp(store, model, 2)).toBe(5);
    expect(model.applied).toBe(5);

    await store.append('session-catch-up', events(3));
    await store.append('session-catch-up-2', events(1));
    expect(await catchUp(store, model, 2)).toBe(4);
    expect(model.applied).toBe(9);
    expect(await catchUp(store, model, 2)).toBe(0);
  });
});
