import { randomUUID } from 'node:crypto';
import { connect, type NatsConnection } from 'nats';
import { approvalStream } from '@chaperone/contracts';
import { JetStreamEventStore, type NewEvent, type RecordedEvent } from '@chaperone/event-store';
import { ReadModelFeed } from './catch-up';
import type { ApprovalReadModel } from './read-model';

const servers = [process.env['NATS_URL'] ?? 'nats://127.0.0.1:4222'];

describe('ReadModelFeed catch-up (real NATS JetStream store)', () => {
  let nc: NatsConnection;
  let store: JetStreamEventStore;
  const id = randomUUID().replace(/-/g, '').slice(0, 12);
  const streamName = `TEST_APPROVAL_CATCHUP_${id}`;

  beforeAll(async () => {
    nc = await connect({ servers, name: 'approval-catch-up-test' });
    store = await JetStreamEventStore.create(nc, { streamName, subjectPrefix: `test-approval-catchup-${id}` });
  });
  afterAll(async () => {
    await store.close();
    await (await nc.jetstreamManager()).streams.delete(streamName).catch(() => undefined);
    await nc.drain();
  });

  const events = (n: number): NewEvent[] => Array.from({ length: n }, (_, i) => ({ eventId: randomUUID(), type: 'Probe', data: { i } }));

  it('given more approval events at one position than a page holds, when the feed starts, then it hands every one to the read model once, in order, then follows', async () => {
    const stream = approvalStream(randomUUID());
    const stored = events(5);
    await store.append(stream, stored); // one message: five events at one position
    await store.append('session-unrelated', events(2));
    const applied: string[] = [];
    // The read model's own folding is not what is tested: this one records what it is handed.
    const readModel = { applyRecorded: async (e: RecordedEvent) => void applied.push(e.eventId) } as unknown as ApprovalReadModel;
    const feed = new ReadModelFeed(store, readModel, 2);
    try {
      await feed.start();
      expect(applied).toEqual(stored.map((e) => e.eventId));
      const later = events(1);
      await store.append(stream, later);
      const until = Date.now() + 5000;
      while (applied.length < 6 && Date.now() < until) await new Promise((r) => setTimeout(r, 20));
      expect(applied).toEqual([...stored, ...later].map((e) => e.eventId));
    } finally {
      await feed.stop();
    }
  });
});
