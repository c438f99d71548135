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
import { countedJetStreamStore, lookupsDuring, type CountedStore } from '../testing/counted-jetstream-store';
import { chainedEventStore, type ChainedEventStore } from './chained-store';

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
    positionSharedWithinAppend: true,
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

  it('continues a stream written before chaining from GENESIS (the unchained part stays visible to verify)', async () => {
    const stream = uniqueStreamName('legacy');
    await inner.append(stream, [newEvent('Old')]);
    await store.append(stream, [newEvent('New')], { expectedRevision: 0 });
    const [old, fresh] = await store.readStream(stream);
    expect(old?.metadata['chainHash']).toBeUndefined();
    expect(fresh?.metadata).toMatchObject({ prevHash: GENESIS, chainHash: linkHash(GENESIS, fresh as RecordedEvent) });
  });
});

/**
 * The tail memo lives in this decorator only: the adapter looks a tail up (a direct get) unless
 * the decorator names the tail's position. Lookups are counted at the adapter.
 */
describe('chainedEventStore tail memo (real NATS JetStream, two replicas)', () => {
  jest.setTimeout(30_000);
  const config = uniqueConfig();
  const replicas: CountedStore[] = [];
  let admin: NatsConnection;

  async function replica(): Promise<CountedStore & { chained: ChainedEventStore }> {
    const r = await countedJetStreamStore(servers, config);
    replicas.push(r);
    return { ...r, chained: chainedEventStore(r.store) };
  }
  const chainOf = async (stream: string) => {
    const read = await replicas[0]?.store.readStream(stream);
    const hashes = chainHashes(read ?? []);
    expect(links(read ?? [])).toEqual(hashes.map((h, i) => [i === 0 ? GENESIS : hashes[i - 1], h]));
    return read ?? [];
  };

  beforeAll(async () => {
    admin = await connect({ servers, name: 'chained-memo-admin' });
  });
  afterAll(async () => {
    for (const r of replicas) await r.store.close();
    await (await admin.jetstreamManager()).streams.delete(config.streamName).catch(() => undefined);
    for (const r of replicas) await r.nc.drain();
    await admin.drain();
  });

  it('a writer appending after what it last wrote or read makes no lookup at all', async () => {
    const a = await replica();
    const stream = uniqueStreamName('memo');
    // A new stream: the decorator looks it up once, the adapter once (no_stream).
    expect(await lookupsDuring(a, () => a.chained.append(stream, [newEvent()], { expectedRevision: 'no_stream' }))).toMatchObject({ lookups: 2 });
    const steady = await lookupsDuring(a, async () => {
      let revision = 0;
      for (let i = 0; i < 5; i++) revision = (await a.chained.append(stream, [newEvent(), newEvent()], { expectedRevision: revision })).nextExpectedRevision;
      return revision;
    });
    expect(steady).toEqual({ result: 10, lookups: 0 });
    // What it knows is what a lookup would say.
    expect(await lookupsDuring(a, () => a.chained.tailOf(stream))).toMatchObject({ result: { revision: 10 }, lookups: 0 });
    const last = (await a.store.readLastEvent(stream)) as RecordedEvent;
    expect(await a.chained.tailOf(stream)).toEqual({ revision: 10, globalPosition: last.globalPosition, eventId: last.eventId, metadata: last.metadata });
    // readLastEvent, then append at its revision: one lookup in all (the read).
    const other = uniqueStreamName('memo-read');
    await a.store.append(other, [newEvent()]);
    expect(
      await lookupsDuring(a, async () => {
        const tail = (await a.chained.readLastEvent(other)) as RecordedEvent;
        return a.chained.append(other, [newEvent()], { expectedRevision: tail.revision });
      }),
    ).toMatchObject({ result: { nextExpectedRevision: 1 }, lookups: 1 });
    await chainOf(stream);
  });

  it('a remembered tail gone stale is refused by the store and decided again on a lookup, never mislinked', async () => {
    const [a, b] = [await replica(), await replica()];
    const stream = uniqueStreamName('memo-stale');
    await a.chained.append(stream, [newEvent()], { expectedRevision: 'no_stream' }); // A remembers revision 0
    const theirs = newEvent('FromB');
    await b.chained.append(stream, [theirs], { expectedRevision: 0 });
    // A redelivery of B's event on A's stale tail: recognised as stored.
    await expect(a.chained.append(stream, [theirs], { expectedRevision: 0 })).resolves.toMatchObject({ nextExpectedRevision: 1, duplicate: true });
    // A new event on the stale tail: refused with what is stored now.
    await b.chained.append(stream, [newEvent('FromB')], { expectedRevision: 1 });
    await a.chained.readLastEvent(stream); // A remembers revision 2
    await b.chained.append(stream, [newEvent('FromB')], { expectedRevision: 2 });
    await expect(a.chained.append(stream, [newEvent('FromA')], { expectedRevision: 2 })).rejects.toMatchObject({ name: 'WrongExpectedRevision', expected: 2, actual: 3 });
    // Deciding the refusal looked the tail up: the next append goes onto B's event without one.
    expect(await lookupsDuring(a, () => a.chained.append(stream, [newEvent('FromA')], { expectedRevision: 3 }))).toMatchObject({
      result: { nextExpectedRevision: 4 },
      lookups: 0,
    });
    expect((await chainOf(stream)).map((e) => e.type)).toEqual(['TestEvent', 'FromB', 'FromB', 'FromB', 'FromA']);
  });

  it('keeps the writer\'s tags beside the linked events: a tags follower reads none of them whole', async () => {
    const a = await replica();
    const stream = uniqueStreamName('memo-tags');
    const tagged = (i: number) => ({ ...newEvent('T', { i }), tags: { i: String(i) } });
    const first = await a.chained.append(stream, [tagged(0)], { expectedRevision: 'no_stream' });
    await a.chained.append(stream, [tagged(1), tagged(2)], { expectedRevision: 0 });
    const seen: string[] = [];
    const followed = await lookupsDuring(a, async () => {
      const sub = await a.chained.subscribeToTags({ fromPosition: first.globalPosition, streamPrefix: stream }, () => ({ i: 'derived' }), (e) => void seen.push(e.tags['i'] as string));
      await waitUntil(() => seen.length >= 3);
      await sub.close();
    });
    expect(seen).toEqual(['0', '1', '2']);
    expect(followed.lookups).toBe(0);
    await chainOf(stream);
  });

  it('tailOf answers from memory, looks up what it does not know, and forgetTails makes it look again', async () => {
    const [a, b] = [await replica(), await replica()];
    const stream = uniqueStreamName('memo-tailof');
    expect(await lookupsDuring(a, () => a.chained.tailOf(stream))).toEqual({ result: undefined, lookups: 1 });
    // Known empty: a first append needs no lookup in the decorator (the adapter checks no_stream).
    expect(await lookupsDuring(a, () => a.chained.append(stream, [newEvent()], { expectedRevision: 'no_stream' }))).toMatchObject({ lookups: 1 });
    await b.chained.append(stream, [newEvent('FromB')], { expectedRevision: 0 });
    expect(await lookupsDuring(a, () => a.chained.tailOf(stream))).toMatchObject({ result: { revision: 0 }, lookups: 0 }); // stale, as documented
    a.chained.forgetTails();
    expect(await lookupsDuring(a, () => a.chained.tailOf(stream))).toMatchObject({ result: { revision: 1 }, lookups: 1 });
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

async function waitUntil(ok: () => boolean, ms = 5000): Promise<void> {
  const until = Date.now() + ms;
  while (!ok()) {
    if (Date.now() > until) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 20));
  }
}
