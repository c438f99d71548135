import { randomUUID } from 'node:crypto';
import type { NatsConnection } from 'nats';
import { busSubjects } from '@chaperone/contracts';
import { connectBus } from './connect';
import { ensureEventsStream } from './events-stream';
import { isPrefixStream, raiseStreamReplicas } from './stream-replicas';

const servers = [process.env['NATS_URL'] ?? 'nats://127.0.0.1:4222'];

describe('stream replicas from configuration (a single NATS server)', () => {
  const subjects = busSubjects(`rep${randomUUID().slice(0, 8)}`);
  let nc: NatsConnection;

  beforeAll(async () => {
    nc = await connectBus(servers, 'stream-replicas-int');
    await ensureEventsStream(await nc.jetstreamManager(), subjects, { maxBytes: 1024 * 1024, maxMsgs: -1 });
  });

  afterAll(async () => {
    await (await nc.jetstreamManager()).streams.delete(subjects.eventsStream).catch(() => undefined);
    await nc.close();
  });

  it('knows the streams of its prefix only', () => {
    expect(isPrefixStream(subjects.eventsStream, subjects)).toBe(true);
    expect(isPrefixStream(subjects.evidenceStream, subjects)).toBe(true);
    expect(isPrefixStream(`OBJ_${subjects.prefix}-blobs`, subjects)).toBe(true);
    expect(isPrefixStream(`OBJ_${subjects.prefix}x-blobs`, subjects)).toBe(false);
    expect(isPrefixStream(busSubjects('other').eventsStream, subjects)).toBe(false);
  });

  it('one replica asks nothing; three raises the prefix streams once, and leaves other prefixes alone', async () => {
    const jsm = await nc.jetstreamManager();
    expect(await raiseStreamReplicas(jsm, subjects, 1)).toEqual([]);
    expect(await raiseStreamReplicas(jsm, subjects, 3)).toEqual([subjects.eventsStream]);
    expect((await jsm.streams.info(subjects.eventsStream)).config.num_replicas).toBe(3);
    expect(await raiseStreamReplicas(jsm, subjects, 3)).toEqual([]);
  });
});
