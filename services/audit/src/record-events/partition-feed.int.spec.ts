import { randomUUID } from 'node:crypto';
import type { JetStreamClient, JetStreamManager, NatsConnection } from 'nats';
import { busSubjects } from '@chaperone/contracts';
import { connectBus, ensureEventsStream } from '@chaperone/bus';
import { BATCH_MAX_MESSAGES, PartitionFeed, recreatePartitionConsumer } from './partition-feed';

const servers = [process.env['NATS_URL'] ?? 'nats://127.0.0.1:4222'];
const subjects = busSubjects(`feed-int-${randomUUID().slice(0, 8)}`);
const PARTITION = 3;

describe('PartitionFeed: pulls when the writer asks (real NATS JetStream)', () => {
  let nc: NatsConnection;
  let jsm: JetStreamManager;
  let js: JetStreamClient;
  let feed: PartitionFeed | undefined;

  const publish = async (...bodies: string[]): Promise<void> => {
    for (const body of bodies) await js.publish(`${subjects.prefix}.events.p${PARTITION}.Test`, body);
  };
  const bodiesOf = (msgs: readonly { data: Uint8Array }[] | undefined): string[] => (msgs ?? []).map((m) => Buffer.from(m.data).toString());

  beforeAll(async () => {
    nc = await connectBus(servers, 'partition-feed-int');
    jsm = await nc.jetstreamManager();
    js = nc.jetstream();
    await ensureEventsStream(jsm, subjects, { maxBytes: 1 << 24, maxMsgs: -1 });
  });

  beforeEach(async () => {
    await jsm.streams.purge(subjects.eventsStream);
    await recreatePartitionConsumer(jsm, subjects, PARTITION);
    feed = await PartitionFeed.open(nc, subjects, PARTITION);
  });

  afterEach(async () => {
    await feed?.stop();
  });

  afterAll(async () => {
    await jsm.streams.delete(subjects.eventsStream);
    await nc.drain();
  });

  it('given messages arriving while it lingers after the first, then one batch holds them all, in stream order', async () => {
    const batch = feed!.next(1000);
    await publish('m0');
    await new Promise((r) => setTimeout(r, 50));
    await publish('m1', 'm2', 'm3');
    const got = await batch;
    expect(bodiesOf(got)).toEqual(['m0', 'm1', 'm2', 'm3']);
    expect(got!.map((m) => m.seq)).toEqual([...got!.map((m) => m.seq)].sort((a, b) => a - b));
  });

  it('given a backlog of more than a batch, then a full batch comes at once (no linger), and the rest after it is acknowledged', async () => {
    const bodies = Array.from({ length: BATCH_MAX_MESSAGES + 44 }, (_, i) => `b${i}`);
    await publish(...bodies);
    // A linger far longer than the test's timeout: only taking the backlog at once can pass.
    const first = await feed!.next(60_000);
    expect(bodiesOf(first)).toEqual(bodies.slice(0, BATCH_MAX_MESSAGES));
    for (const m of first!) m.ack();
    const rest = await feed!.next(0);
    expect(bodiesOf(rest)).toEqual(bodies.slice(BATCH_MAX_MESSAGES));
  }, 20_000);

  it('given a feed waiting for a first message, when it is stopped, then next() ends with no batch at once (not at the pull expiry)', async () => {
    const waiting = feed!.next(10);
    await new Promise((r) => setTimeout(r, 100));
    await feed!.stop();
    await expect(waiting).resolves.toBeUndefined();
  }, 3_000);

  it('given a feed waiting for a first message, when its consumer is deleted (another holder took the partition), then next() fails and the writer starts over', async () => {
    // Its failure may come before the deletion's own answer: caught from the start.
    const outcome = feed!.next(10).then(
      () => new Error('next() resolved'),
      (e: Error) => e,
    );
    await new Promise((r) => setTimeout(r, 100));
    await jsm.consumers.delete(subjects.eventsStream, subjects.auditConsumer(PARTITION));
    expect((await outcome).message).toMatch(/ended a pull: 409/);
  }, 4_000);
});
