import { randomUUID } from 'node:crypto';
import { connect, type NatsConnection } from 'nats';
import { ChainCheckpointedSchema, EvidenceStreams } from '@chaperone/contracts';
import { chainHeadOf, generateCheckpointKeyPair, verifyCheckpoint, verifyStore } from '@chaperone/evidence-chain';
import { chainedEventStore, JetStreamEventStore, type EventStore, type RecordedEvent } from '@chaperone/event-store';
import { readEvidenceLog, TreeFrontier, verifyConsistency, verifyTreeHead } from '@chaperone/merkle-log';
import { Checkpointer } from './checkpointer';

const servers = [process.env['NATS_URL'] ?? 'nats://127.0.0.1:4222'];

describe('checkpointer (real NATS JetStream store)', () => {
  jest.setTimeout(30_000);
  const { privateKey, publicKey } = generateCheckpointKeyPair();
  const id = randomUUID().replace(/-/g, '').slice(0, 12);
  const config = { streamName: `TEST_CHECKPOINTS_${id}`, subjectPrefix: `test-checkpoints-${id}` };
  let nc: NatsConnection;
  let inners: JetStreamEventStore[];
  let stores: EventStore[];

  const append = (store: EventStore, stream: string, n = 1) =>
    Promise.all(Array.from({ length: n }, () => store.append(stream, [{ eventId: randomUUID(), type: 'RequestCompleted', data: { stream } }])));
  const checkpoints = async () =>
    (await stores[0]!.readStream(EvidenceStreams.checkpoints)).map((e) => ChainCheckpointedSchema.parse(e.data));

  beforeAll(async () => {
    nc = await connect({ servers, name: 'checkpointer-int' });
    // Two replicas, each with its own store client, as two audit processes would have.
    inners = [await JetStreamEventStore.create(nc, config), await JetStreamEventStore.create(nc, { ...config, ensureStream: false })];
    stores = inners.map((s) => chainedEventStore(s));
  });
  afterAll(async () => {
    for (const s of inners) await s.close();
    await (await nc.jetstreamManager()).streams.delete(config.streamName);
    await nc.drain();
  });

  it('given two replicas checkpointing at once, exactly one checkpoint is stored; it signs every head and verifies', async () => {
    for (const s of ['session-a', 'session-b', 'approval-c']) await append(stores[0]!, s, 3);
    const [one, two] = stores.map((store) => new Checkpointer(store, { privateKey, intervalMs: 60_000 }));
    const outcomes = (await Promise.all([one!.runOnce(), two!.runOnce()])).map((o) => o.outcome).sort();
    // The loser either lost the append race or started after the winner stored (nothing new then).
    expect(outcomes[1]).toBe('stored');
    expect(['lost-race', 'nothing-new']).toContain(outcomes[0]);
    const [cp] = await checkpoints();
    expect(await checkpoints()).toHaveLength(1);
    const last = async (s: string) => chainHeadOf((await stores[0]!.readLastEvent(s)) as RecordedEvent);
    expect(cp?.checkpoint.heads).toEqual({ 'session-a': await last('session-a'), 'session-b': await last('session-b'), 'approval-c': await last('approval-c') });
    expect(verifyCheckpoint(cp!.checkpoint, publicKey)).toBe(true);
    await expect(verifyStore(stores[1]!, { publicKey })).resolves.toMatchObject({ ok: true, checkpoints: 1, streams: 4, events: 10 });
  });

  it('the next checkpoint covers only the chains that moved, from where the last one stopped; none when idle', async () => {
    const replica = new Checkpointer(stores[1]!, { privateKey, intervalMs: 60_000 });
    await expect(replica.runOnce()).resolves.toEqual({ outcome: 'nothing-new' });
    await append(stores[1]!, 'session-b', 2);
    await expect(replica.runOnce()).resolves.toMatchObject({ outcome: 'stored', checkpoints: 1 });
    const [first, second] = await checkpoints();
    expect(Object.keys(second!.checkpoint.heads)).toEqual(['session-b']);
    expect(second!.checkpoint.heads['session-b']?.revision).toBe(4);
    expect(second!.throughPosition).toBeGreaterThan(first!.throughPosition);
    await expect(verifyStore(stores[0]!, { publicKey })).resolves.toMatchObject({ ok: true, checkpoints: 2 });
  });

  it('splits many moved chains over several checkpoints, each cut between store positions', async () => {
    const streams = Array.from({ length: 5 }, (_, i) => `session-many-${i}`);
    for (const s of streams) await append(stores[0]!, s);
    const replica = new Checkpointer(stores[0]!, { privateKey, intervalMs: 60_000, maxHeads: 2 });
    await expect(replica.runOnce()).resolves.toMatchObject({ outcome: 'stored', checkpoints: 3 });
    const latest = (await checkpoints()).slice(-3);
    expect(latest.map((c) => Object.keys(c.checkpoint.heads).length)).toEqual([2, 2, 1]);
    expect(latest.flatMap((c) => Object.keys(c.checkpoint.heads)).sort()).toEqual(streams);
    await expect(verifyStore(stores[0]!, { publicKey })).resolves.toMatchObject({ ok: true, checkpoints: 5 });
  });

  it('every checkpoint stores the signed tree head of the store through its position, consistent with the one before', async () => {
    const all = await checkpoints();
    const { tree } = await readEvidenceLog(stores[0]!);
    let previous: { size: number; rootHash: string } | undefined;
    for (const cp of all) {
      const head = cp.treeHead!;
      expect(verifyTreeHead(head, publicKey)).toBe(true);
      // The head is the tree of exactly the events through the checkpoint's position.
      const through = (await stores[0]!.readAll()).filter((e) => e.globalPosition <= cp.throughPosition);
      expect(head.size).toBe(through.length);
      expect(tree.rootHash(head.size).toString('hex')).toBe(head.rootHash);
      expect(TreeFrontier.fromHex(head.size, cp.treeFrontier!).rootHash().toString('hex')).toBe(head.rootHash);
      if (previous) {
        const proof = tree.consistencyProof(previous.size, head.size);
        expect(verifyConsistency(previous.size, head.size, proof, Buffer.from(previous.rootHash, 'hex'), Buffer.from(head.rootHash, 'hex'))).toBe(true);
      }
      previous = head;
    }
    expect(all.length).toBeGreaterThanOrEqual(5);
  });

  it('a store whose last checkpoint has no tree head: the tree is rebuilt once, and the new head covers the whole store', async () => {
    const id2 = randomUUID().replace(/-/g, '').slice(0, 12);
    const inner = await JetStreamEventStore.create(nc, { streamName: `TEST_CHECKPOINTS_${id2}`, subjectPrefix: `test-checkpoints-${id2}` });
    const store = chainedEventStore(inner);
    try {
      await append(store, 'session-old', 3);
      // A checkpoint as written before tree heads were kept.
      await new Checkpointer(store, { privateKey, intervalMs: 60_000 }).runOnce();
      const [cp] = await store.readStream(EvidenceStreams.checkpoints);
      const data = { ...(cp!.data as Record<string, unknown>) };
      delete data['treeHead'];
      delete data['treeFrontier'];
      await store.append(EvidenceStreams.checkpoints, [{ eventId: randomUUID(), type: cp!.type, data }]);
      await append(store, 'session-old', 2);
      await expect(new Checkpointer(store, { privateKey, intervalMs: 60_000 }).runOnce()).resolves.toMatchObject({ outcome: 'stored' });
      const latest = ChainCheckpointedSchema.parse((await store.readLastEvent(EvidenceStreams.checkpoints))!.data);
      const { tree } = await readEvidenceLog(store);
      // Everything but the checkpoint just written.
      expect(latest.treeHead!.size).toBe(tree.size - 1);
      expect(tree.rootHash(latest.treeHead!.size).toString('hex')).toBe(latest.treeHead!.rootHash);
    } finally {
      await inner.close();
      await (await nc.jetstreamManager()).streams.delete(`TEST_CHECKPOINTS_${id2}`);
    }
  });
});
