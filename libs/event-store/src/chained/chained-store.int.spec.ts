import { randomUUID } from 'node:crypto';
import { connect, type JetStreamManager, type NatsConnection } from 'nats';
import { CHAIN_CHECKPOINTED, EvidenceStreams } from '@chaperone/contracts';
import {
  GENESIS,
  chainHashes,
  chainHeadOf,
  generateCheckpointKeyPair,
  linkHash,
  signCheckpoint,
  verifyStore,
  type EvidenceReader,
} from '@chaperone/evidence-chain';
import { WrongExpectedRevision, type EventStore, type RecordedEvent } from '../port';
import { eventStoreContract, newEvent, uniqueStreamName } from '../testing/event-store-contract';
import { JetStreamEventStore } from '../jetstream/jetstream-store';
import { chainedEventStore } from './chained-store';

const servers = [process.env['NATS_URL'] ?? 'nats://127.0.0.1:4222'];

function uniqueConfig(duplicateWindowMs?: number) {
  const id = randomUUID().replace(/-/g, '').slice(0, 12);
  return { streamName: `TEST_CHAINED_${id}`, subjectPrefix: `test-chained-${id}`, ...(duplicateWindowMs ? { duplicateWindowMs } : {}) };
}

// The decorator must keep every promise of the port: the whole contract suite, over real JetStream.
eventStoreContract('hash-chained NATS JetStream', async () => {
  const nc = await connect({ servers, name: 'chained-store-contract' });
  const jsm = await nc.jetstreamManager();
  const config = uniqueConfig(1000);
  const inner = await JetStreamEventStore.create(nc, config);
  const replicas: Array<{ nc: NatsConnection; store: JetStreamEventStore }> = [];
  return {
    store: chainedEventStore(inner),
    async replica() {
      const rnc = await connect({ servers, name: 'chained-store-contract-replica' });
      const r = { nc: rnc, store: await JetStreamEventStore.create(rnc, config) };
      replicas.push(r);
      return chainedEventStore(r.store);
    },
    dedupWindowMs: 1000,
    addedMetadataKeys: ['prevHash', 'chainHash'],
    immutabilitySkipReason: 'covered by the JetStream adapter contract run (the decorator adds no native access)',
    attemptDelete: () => Promise.reject(new Error('not used')),
    attemptRewrite: () => Promise.reject(new Error('not used')),
    async dispose() {
      for (const r of replicas) {
        await r.store.close();
        await r.nc.drain();
      }
      await inner.close();
      await jsm.streams.delete(config.streamName);
      await nc.drain();
    },
  };
});

/** The store's chain members of each event, in order. */
const links = (events: RecordedEvent[]) => events.map((e) => [e.metadata['prevHash'], e.metadata['chainHash']]);

describe('chainedEventStore (real NATS JetStream)', () => {
  jest.setTimeout(30_000);
  let nc: NatsConnection;
  let jsm: JetStreamManager;
  let inner: JetStreamEventStore;
  let store: EventStore;
  const config = uniqueConfig();

  beforeAll(async () => {
    nc = await connect({ servers, name: 'chained-store-specifics' });
    jsm = await nc.jetstreamManager();
    inner = await JetStreamEventStore.create(nc, config);
    store = chainedEventStore(inner);
  });
  afterAll(async () => {
    await inner.close();
    await jsm.streams.delete(config.streamName).catch(() => undefined);
    await nc.drain();
  });

  it('links every event of a stream to the one before, from GENESIS, keeping the caller metadata', async () => {
    const stream = uniqueStreamName('session');
    await store.append(stream, [newEvent('A', { i: 0 }, { busSequence: 7 }), newEvent('B', { i: 1 })], { expectedRevision: 'no_stream' });
    await store.append(stream, [newEvent('C', { i: 2, at: new Date('2026-01-01T00:00:00Z'), gone: undefined })], { expectedRevision: 1 });
    await store.append(stream, [newEvent('D', undefined)]);
    const read = await store.readStream(stream);
    expect(read.map((e) => e.revision)).toEqual([0, 1, 2, 3]);
    expect(read[0]?.metadata).toMatchObject({ busSequence: 7, prevHash: GENESIS });
    const hashes = chainHashes(read);
    expect(links(read)).toEqual(hashes.map((h, i) => [i === 0 ? GENESIS : hashes[i - 1], h]));
    // What a reader gets back hashes to what was recorded (dates, undefined members, undefined data).
    expect(read[3]?.metadata['chainHash']).toBe(linkHash(hashes[2] as string, read[3] as RecordedEvent));
  });

  it('an idempotent re-append does not add a second link', async () => {
    const stream = uniqueStreamName('idem');
    const e = newEvent();
    await store.append(stream, [e], { expectedRevision: 'no_stream' });
    await expect(store.append(stream, [e], { expectedRevision: 'no_stream' })).resolves.toMatchObject({ duplicate: true });
    await expect(store.append(stream, [e])).resolves.toMatchObject({ duplicate: true });
    expect(await store.readStream(stream)).toHaveLength(1);
  });

  it('parallel "any" appends from several writers still form one unbroken chain', async () => {
    const stream = uniqueStreamName('race');
    const other = chainedEventStore(await JetStreamEventStore.create(nc, { ...config, ensureStream: false }));
    await Promise.all(Array.from({ length: 12 }, (_, i) => (i % 2 ? store : other).append(stream, [newEvent('Any', { i })])));
    const read = await store.readStream(stream);
    expect(read).toHaveLength(12);
    const hashes = chainHashes(read);
    expect(links(read)).toEqual(hashes.map((h, i) => [i === 0 ? GENESIS : hashes[i - 1], h]));
  });

  it('a stale exact revision is refused with the caller\'s expectation, and nothing is written', async () => {
    const stream = uniqueStreamName('stale');
    await store.append(stream, [newEvent(), newEvent()]);
    const err = await store.append(stream, [newEvent()], { expectedRevision: 0 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(WrongExpectedRevision);
    expect(err).toMatchObject({ expected: 0, actual: 1 });
    expect(await store.readStream(stream)).toHaveLength(2);
  });

  it('a writer that has just read the tail appends without a second lookup; a stale tail is refused, never mislinked', async () => {
    let lookups = 0;
    const counting: EventStore = Object.assign(Object.create(inner) as EventStore, {
      readLastEvent: (s: string) => {
        lookups++;
        return inner.readLastEvent(s);
      },
    });
    const writer = chainedEventStore(counting);
    const stream = uniqueStreamName('tail');
    await writer.append(stream, [newEvent()], { expectedRevision: 'no_stream' });
    const last = (await writer.readLastEvent(stream)) as RecordedEvent;
    lookups = 0;
    await writer.append(stream, [newEvent()], { expectedRevision: last.revision });
    expect(lookups).toBe(0);
    // Another writer moves the stream on; the remembered tail is stale and the store refuses.
    const stale = (await writer.readLastEvent(stream)) as RecordedEvent;
    await store.append(stream, [newEvent()], { expectedRevision: stale.revision });
    await expect(writer.append(stream, [newEvent()], { expectedRevision: stale.revision })).rejects.toBeInstanceOf(WrongExpectedRevision);
    const read = await store.readStream(stream);
    expect(read).toHaveLength(3);
    const hashes = chainHashes(read);
    expect(links(read)).toEqual(hashes.map((h, i) => [i === 0 ? GENESIS : hashes[i - 1], h]));
  });

  it('continues a stream written before chaining from GENESIS (the unchained part stays visible to verify)', async () => {
    const stream = uniqueStreamName('legacy');
    await inner.append(stream, [newEvent('Old')]);
    await store.append(stream, [newEvent('New')], { expectedRevision: 0 });
    const [old, fresh] = await store.readStream(stream);
    expect(old?.metadata['chainHash']).toBeUndefined();
    expect(fresh?.metadata).toMatchObject({ prevHash: GENESIS, chainHash: linkHash(GENESIS, fresh as RecordedEvent) });
  });
});

describe('verifyStore over a copy of a real JetStream store', () => {
  jest.setTimeout(30_000);
  const { privateKey, publicKey } = generateCheckpointKeyPair();
  let nc: NatsConnection;
  let inner: JetStreamEventStore;
  let store: EventStore;
  let copy: RecordedEvent[];
  const config = uniqueConfig();
  const [a, b, c] = ['session-a', 'session-b', 'approval-c'].map((s) => uniqueStreamName(s)) as [string, string, string];

  beforeAll(async () => {
    nc = await connect({ servers, name: 'verify-store' });
    inner = await JetStreamEventStore.create(nc, config);
    store = chainedEventStore(inner);
    // Interleaved writes to three streams, then a signed checkpoint of their heads.
    for (let i = 0; i < 5; i++) {
      for (const s of [a, b, c]) await store.append(s, [newEvent('RequestCompleted', { s, i })]);
    }
    const heads = Object.fromEntries(await Promise.all([a, b, c].map(async (s) => [s, chainHeadOf((await store.readLastEvent(s)) as RecordedEvent)])));
    const checkpoint = signCheckpoint(heads, { privateKey, keyId: 'test' });
    await store.append(EvidenceStreams.checkpoints, [
      { eventId: randomUUID(), type: CHAIN_CHECKPOINTED, data: { type: CHAIN_CHECKPOINTED, schemaVersion: 1, checkpoint, throughPosition: 15 } },
    ]);
    copy = await store.readAll();
  });
  afterAll(async () => {
    await inner.close();
    await (await nc.jetstreamManager()).streams.delete(config.streamName).catch(() => undefined);
    await nc.drain();
  });

  /**
   * A second store holding (a changed copy of) the events in the given order: positions follow
   * the copy's order, and readAll pages like a store's.
   */
  const reader = (events: RecordedEvent[]): EvidenceReader => {
    const copied = events.map((e, i) => ({ ...e, globalPosition: i + 1 }));
    return {
      readAll: async ({ fromPosition = 0, maxCount = Infinity } = {}) => copied.filter((e) => e.globalPosition >= fromPosition).slice(0, maxCount),
      readStream: async (stream) => copied.filter((e) => e.stream === stream),
    };
  };
  const at = (stream: string, revision: number) => copy.find((e) => e.stream === stream && e.revision === revision) as RecordedEvent;

  it('the untouched store verifies, read straight from JetStream in small pages', async () => {
    const report = await verifyStore(store, { publicKey, pageSize: 4 });
    expect(report).toMatchObject({ ok: true, streams: 4, events: 16, checkpoints: 1, problems: [] });
    expect(report.throughPosition).toBe(copy[copy.length - 1]?.globalPosition);
  });

  it('names the altered, the dropped and the two reordered events exactly', async () => {
    const altered = at(a, 2);
    const dropped = at(b, 3);
    const [first, second] = [at(c, 1), at(c, 2)];
    const tampered = copy
      .filter((e) => e !== dropped)
      .map((e) => (e === altered ? { ...e, data: { ...(e.data as object), status: 'forged' } } : e));
    const i = tampered.indexOf(first);
    const j = tampered.indexOf(second);
    [tampered[i], tampered[j]] = [second, first];

    const report = await verifyStore(reader(tampered), { publicKey, pageSize: 3 });
    expect(report.ok).toBe(false);
    expect(report.events).toBe(15);
    expect(report.problems).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ kind: 'broken-link', stream: a, revision: 2, eventId: altered.eventId, expected: altered.metadata['chainHash'] }),
        // The checkpoint signed stream a's head, which its altered content no longer reaches.
        expect.objectContaining({ kind: 'head-mismatch', stream: a, checkpointRevision: 4 }),
        { kind: 'missing', stream: b, revision: 3, count: 1, nextEventId: at(b, 4).eventId },
        // Without revision 3, stream b's content no longer reaches the signed head either.
        expect.objectContaining({ kind: 'head-mismatch', stream: b, checkpointRevision: 4 }),
        { kind: 'reordered', stream: c, revision: 2, eventId: second.eventId },
        { kind: 'reordered', stream: c, revision: 1, eventId: first.eventId },
      ]),
    );
    expect(report.problems).toHaveLength(6);
  });

  it('a forged checkpoint signature and events cut after the checkpoint are reported', async () => {
    const cut = copy.filter((e) => !(e.stream === b && e.revision === 4));
    const other = generateCheckpointKeyPair().publicKey;
    expect((await verifyStore(reader(copy), { publicKey: other })).problems).toEqual([{ kind: 'bad-signature', checkpointAt: expect.any(String) }]);
    expect((await verifyStore(reader(cut), { publicKey })).problems).toEqual([
      expect.objectContaining({ kind: 'truncated', stream: b, checkpointRevision: 4, actualLastRevision: 3 }),
    ]);
  });
});
