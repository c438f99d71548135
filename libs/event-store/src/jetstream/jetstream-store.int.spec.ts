import { randomUUID } from 'node:crypto';
import { connect, headers, StorageType, type JetStreamManager, type NatsConnection } from 'nats';
import { EventIdConflict, InvalidArgument, StoreUnavailable, WrongExpectedRevision, type NewEvent } from '../port';
import { eventStoreContract, newEvent, uniqueStreamName } from '../testing/event-store-contract';
import { countedJetStreamStore, lookupsDuring, type CountedStore } from '../testing/counted-jetstream-store';
import { JsErrCodes, jsErrCode } from './errors';
import { EvidenceHeaders, JetStreamEventStore } from './jetstream-store';
import { ensureEvidenceStream, type EvidenceStreamConfig } from './stream-config';

const servers = [process.env['NATS_URL'] ?? 'nats://127.0.0.1:4222'];

async function waitUntil(predicate: () => boolean, timeoutMs = 10_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > until) throw new Error('timed out waiting for condition');
    await new Promise((r) => setTimeout(r, 20));
  }
}

function uniqueConfig(duplicateWindowMs?: number): EvidenceStreamConfig {
  const id = randomUUID().replace(/-/g, '').slice(0, 12);
  return { streamName: `TEST_EVIDENCE_${id}`, subjectPrefix: `test-evidence-${id}`, ...(duplicateWindowMs ? { duplicateWindowMs } : {}) };
}

eventStoreContract('NATS JetStream', async () => {
  const nc = await connect({ servers, name: 'event-store-contract' });
  const jsm = await nc.jetstreamManager();
  // A short dedup window so the "long after" idempotency test really runs past it.
  const config = uniqueConfig(1000);
  const store = await JetStreamEventStore.create(nc, config);
  const seqsOf = async (stream: string) => (await store.readStream(stream)).map((e) => e.globalPosition);
  const replicas: Array<{ nc: NatsConnection; store: JetStreamEventStore }> = [];
  return {
    store,
    async replica() {
      const rnc = await connect({ servers, name: 'event-store-contract-replica' });
      const r = { nc: rnc, store: await JetStreamEventStore.create(rnc, config) };
      replicas.push(r);
      return r.store;
    },
    dedupWindowMs: 1000,
    positionSharedWithinAppend: true,
    async attemptDelete(stream) {
      const errors: unknown[] = [];
      const attempts: Array<() => Promise<unknown>> = [
        ...(await seqsOf(stream)).map((seq) => () => jsm.streams.deleteMessage(config.streamName, seq)),
        ...(await seqsOf(stream)).map((seq) => () => jsm.streams.deleteMessage(config.streamName, seq, false)),
        () => jsm.streams.purge(config.streamName, { filter: store.subjectFor(stream) }),
        () => jsm.streams.purge(config.streamName),
        async () => {
          const info = await jsm.streams.info(config.streamName);
          return jsm.streams.update(config.streamName, { ...info.config, deny_delete: false, deny_purge: false });
        },
      ];
      for (const attempt of attempts) {
        try {
          await attempt();
          throw new Error('a native delete/purge SUCCEEDED'); // not reached when immutability holds
        } catch (err) {
          if ((err as Error).message === 'a native delete/purge SUCCEEDED') return; // resolve → test fails
          errors.push(err);
        }
      }
      throw new AggregateError(errors, `all ${errors.length} native delete attempts were refused`);
    },
    async attemptRewrite(stream, revision) {
      const target = (await store.readStream(stream))[revision];
      const h = headers();
      h.set('Nats-Rollup', 'sub'); // would erase every earlier message on the subject
      h.set(EvidenceHeaders.stream, stream);
      h.set(EvidenceHeaders.revision, String(revision));
      h.set(EvidenceHeaders.eventType, target?.type ?? 'Forged');
      await nc.jetstream().publish(store.subjectFor(stream), new TextEncoder().encode('{"forged":true}'), { headers: h });
    },
    async dispose() {
      for (const r of replicas) {
        await r.store.close();
        await r.nc.drain();
      }
      await store.close();
      await jsm.streams.delete(config.streamName);
      await nc.drain();
    },
  };
});

describe('JetStreamEventStore specifics (real NATS)', () => {
  jest.setTimeout(30_000);
  let nc: NatsConnection;
  let jsm: JetStreamManager;
  const created: string[] = [];
  const config = uniqueConfig();
  let store: JetStreamEventStore;

  beforeAll(async () => {
    nc = await connect({ servers, name: 'event-store-specifics' });
    jsm = await nc.jetstreamManager();
    store = await JetStreamEventStore.create(nc, config);
    created.push(config.streamName);
  });
  afterAll(async () => {
    await store.close();
    for (const name of created) await jsm.streams.delete(name).catch(() => undefined);
    await nc.drain();
  });

  it('creates the stream with the immutable evidence configuration', async () => {
    const { config: c } = await jsm.streams.info(config.streamName);
    expect(c).toMatchObject({
      subjects: [`${config.subjectPrefix}.>`],
      storage: StorageType.File,
      deny_delete: true,
      deny_purge: true,
      allow_rollup_hdrs: false,
      discard: 'old',
      max_msgs: -1,
      max_bytes: -1,
      max_age: 0,
      duplicate_window: 120_000_000_000,
    });
    // Validating an existing good stream is fine (a second instance starting).
    await expect(ensureEvidenceStream(jsm, config)).resolves.toBeDefined();
  });

  it('refuses to run on a stream that allows delete, purge or rollup', async () => {
    const bad = uniqueConfig();
    await jsm.streams.add({ name: bad.streamName, subjects: [`${bad.subjectPrefix}.>`], storage: StorageType.File, allow_rollup_hdrs: true });
    created.push(bad.streamName);
    await expect(JetStreamEventStore.create(nc, bad)).rejects.toThrow(/deny_delete is false.*deny_purge is false.*allow_rollup_hdrs is true/);
  });

  it('stores the documented headers; event stream S is subject <prefix>.<kind of S>.S', async () => {
    const stream = uniqueStreamName('session.hdrs');
    const e = newEvent('RequestCompleted', { ok: 1 }, { k: 'v' });
    const r = await store.append(stream, [e]);
    const m = await jsm.streams.getMessage(config.streamName, { seq: r.globalPosition });
    expect(m.subject).toBe(`${config.subjectPrefix}.session.${stream}`);
    expect(m.header.get('Nats-Msg-Id')).toBe(e.eventId);
    expect(m.header.get('Chaperone-Stream')).toBe(stream);
    expect(m.header.get('Chaperone-Revision')).toBe('0');
    expect(m.header.get('Chaperone-Event-Type')).toBe('RequestCompleted');
    expect(JSON.parse(m.header.get('Chaperone-Metadata'))).toEqual({ k: 'v' });
    expect(m.json()).toEqual({ ok: 1 });
  });

  it('a reader of one kind of stream is sent only that kind by the server (filtered consumer)', async () => {
    const ownConfig = uniqueConfig();
    created.push(ownConfig.streamName);
    const own = await JetStreamEventStore.create(nc, ownConfig);
    const approval = `approval-${randomUUID()}`;
    await own.append(`session-${randomUUID()}`, [newEvent()]);
    await own.append(approval, [newEvent()]);
    await own.append('checkpoints', [newEvent()]);
    const seen: string[] = [];
    const sub = await own.subscribeToAll({ streamPrefix: 'approval-' }, (e) => void seen.push(e.stream));
    try {
      await waitFor(() => seen.length === 1);
      const consumers = await jsm.consumers.list(ownConfig.streamName).next();
      expect(consumers.map((c) => c.config.filter_subject)).toEqual([`${ownConfig.subjectPrefix}.approval.>`]);
      expect(consumers.map((c) => c.delivered.consumer_seq)).toEqual([1]); // only the approval event left the server
    } finally {
      await sub.close();
    }
    expect(seen).toEqual([approval]);
    expect((await own.readAll({ streamPrefix: 'approval-' })).map((e) => e.stream)).toEqual([approval]);
    expect((await own.readAll({ streamPrefix: 'sess' })).map((e) => e.stream)).toHaveLength(1);
    expect(await own.readAll({ streamPrefix: 'nothing-' })).toEqual([]);
  });

  it('a store written with the flat layout (<prefix>.S) keeps it', async () => {
    const flat = uniqueConfig();
    created.push(flat.streamName);
    await ensureEvidenceStream(jsm, flat);
    const h = headers();
    h.set(EvidenceHeaders.stream, 'session-old');
    h.set(EvidenceHeaders.revision, '0');
    h.set(EvidenceHeaders.eventType, 'RequestCompleted');
    h.set(EvidenceHeaders.msgId, randomUUID());
    await nc.jetstream().publish(`${flat.subjectPrefix}.session-old`, new TextEncoder().encode('{}'), { headers: h });
    const old = await JetStreamEventStore.create(nc, flat);
    expect(old.subjectFor('session-new')).toBe(`${flat.subjectPrefix}.session-new`);
    await old.append('session-old', [newEvent()], { expectedRevision: 0 });
    expect((await old.readStream('session-old')).map((e) => e.revision)).toEqual([0, 1]);
    expect((await old.readAll({ streamPrefix: 'session-' })).map((e) => e.stream)).toEqual(['session-old', 'session-old']);
  });

  it('the server itself enforces Nats-Expected-Last-Subject-Sequence (nats-server 2.9)', async () => {
    const stream = uniqueStreamName('server-check');
    const r = await store.append(stream, [newEvent()]);
    const js = nc.jetstream();
    const subject = store.subjectFor(stream);
    const stale = await js.publish(subject, new Uint8Array(), { expect: { lastSubjectSequence: r.globalPosition - 1 } }).catch((e: unknown) => e);
    expect(jsErrCode(stale)).toBe(JsErrCodes.wrongLastSequence);
    const none = await js.publish(subject, new Uint8Array(), { expect: { lastSubjectSequence: 0 } }).catch((e: unknown) => e);
    expect(jsErrCode(none)).toBe(JsErrCodes.wrongLastSequence);
    expect(await store.readStream(stream)).toHaveLength(1);
  });

  it('an event id stored on another stream within the dedup window is a conflict, not a silent duplicate', async () => {
    const e = newEvent();
    await store.append(uniqueStreamName('id-a'), [e]);
    const other = uniqueStreamName('id-b');
    await expect(store.append(other, [e])).rejects.toBeInstanceOf(EventIdConflict);
    expect(await store.readStream(other)).toEqual([]);
  });

  it('reports WrongExpectedRevision with the actual revision after losing a race', async () => {
    const stream = uniqueStreamName('wer');
    await store.append(stream, [newEvent()]);
    await store.append(stream, [newEvent()], { expectedRevision: 0 });
    await expect(store.append(stream, [newEvent()], { expectedRevision: 0 })).rejects.toEqual(expect.objectContaining({ actual: 1 }));
    await expect(store.append(stream, [newEvent()], { expectedRevision: 0 })).rejects.toBeInstanceOf(WrongExpectedRevision);
  });

  it('a follow in batches carries on from where it was when the server loses its consumer', async () => {
    const stream = uniqueStreamName('lost-consumer');
    const first = await store.append(stream, [newEvent('E', { i: 0 })]);
    const seen: number[] = [];
    const sub = await store.subscribeToAll({ fromPosition: first.globalPosition, batchMs: 50 }, (e) => {
      if (e.stream === stream) seen.push((e.data as { i: number }).i);
    });
    try {
      await waitUntil(() => seen.length === 1);
      for await (const c of await jsm.consumers.list(config.streamName)) await jsm.consumers.delete(config.streamName, c.name);
      await store.append(stream, [newEvent('E', { i: 1 }), newEvent('E', { i: 2 })]);
      await waitUntil(() => seen.length >= 3);
      await store.append(stream, [newEvent('E', { i: 3 })]);
      await waitUntil(() => seen.length >= 4);
      await new Promise((r) => setTimeout(r, 300));
      expect(seen).toEqual([0, 1, 2, 3]);
    } finally {
      await sub.close();
    }
  });

  it('stores the events of one append as one message, and a larger append in as few as fit', async () => {
    const messages = async () => (await jsm.streams.info(config.streamName)).state.messages;
    const before = await messages();
    const stream = uniqueStreamName('one-message');
    const first = await store.append(stream, [newEvent('RequestIntercepted'), newEvent('PolicyDecided'), newEvent('RequestCompleted')], { expectedRevision: 'no_stream' });
    expect(await messages()).toBe(before + 1);
    const read = await store.readStream(stream);
    expect(read.map((e) => [e.revision, e.globalPosition])).toEqual([
      [0, first.globalPosition],
      [1, first.globalPosition],
      [2, first.globalPosition],
    ]);
    await store.append(stream, Array.from({ length: 300 }, () => newEvent('E')), { expectedRevision: 2 });
    expect(await messages()).toBe(before + 3);
    expect((await store.readStream(stream)).map((e) => e.revision)).toEqual(Array.from({ length: 303 }, (_, i) => i));
    await expect(store.readLastEvent(stream)).resolves.toMatchObject({ revision: 302 });
  });

  it('maps a NATS outage to StoreUnavailable', async () => {
    const nc2 = await connect({ servers, name: 'event-store-outage' });
    const s2 = await JetStreamEventStore.create(nc2, { ...config, timeoutMs: 1000 });
    const stream = uniqueStreamName('outage');
    await s2.append(stream, [newEvent()]);
    await nc2.close();
    await expect(s2.append(stream, [newEvent()])).rejects.toBeInstanceOf(StoreUnavailable);
    await expect(s2.readStream(stream)).rejects.toBeInstanceOf(StoreUnavailable);
    await expect(s2.readAll()).rejects.toBeInstanceOf(StoreUnavailable);
  });
});

/**
 * A known tail (AppendOptions.expectedPosition): a numeric append that names the position of the
 * event at its revision publishes without looking the tail up, and the server refuses it when that
 * event is no longer the tail. Each replica is its own store and connection; lookups are counted
 * on the JetStream manager the store gets from its connection.
 */
describe('JetStreamEventStore known tail (real NATS, two replicas)', () => {
  jest.setTimeout(30_000);
  const replicas: CountedStore[] = [];
  const created = new Set<string>();
  let admin: NatsConnection;
  let jsm: JetStreamManager;

  async function replica(config: EvidenceStreamConfig): Promise<CountedStore> {
    const r = await countedJetStreamStore(servers, config);
    replicas.push(r);
    created.add(config.streamName);
    return r;
  }

  beforeAll(async () => {
    admin = await connect({ servers, name: 'event-store-known-tail-admin' });
    jsm = await admin.jetstreamManager();
  });
  afterAll(async () => {
    for (const r of replicas) await r.store.close();
    for (const name of created) await jsm.streams.delete(name).catch(() => undefined);
    for (const r of replicas) await r.nc.drain();
    await admin.drain();
  });

  it('an append naming the tail\'s position costs no lookup; without it, every append looks the tail up', async () => {
    const a = await replica(uniqueConfig());
    const stream = uniqueStreamName('known');
    const first = await lookupsDuring(a, () => a.store.append(stream, [newEvent()], { expectedRevision: 'no_stream' }));
    expect(first.lookups).toBe(1);
    let tail = first.result;
    for (let i = 0; i < 3; i++) {
      const next = await lookupsDuring(a, () =>
        a.store.append(stream, [newEvent(), newEvent()], { expectedRevision: tail.nextExpectedRevision, expectedPosition: tail.globalPosition }),
      );
      expect(next.lookups).toBe(0);
      tail = next.result;
    }
    expect(tail).toMatchObject({ nextExpectedRevision: 6, duplicate: false });
    expect(await lookupsDuring(a, () => a.store.append(stream, [newEvent()], { expectedRevision: 6 }))).toMatchObject({ lookups: 1 });
    expect(await lookupsDuring(a, () => a.store.append(stream, [newEvent()], { expectedRevision: 'any' }))).toMatchObject({ lookups: 1 });
    expect((await a.store.readStream(stream)).map((e) => e.revision)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8]);
  });

  it('a stale position (the other replica appended) is refused with the actual revision; nothing is written or interleaved', async () => {
    const config = uniqueConfig();
    const [a, b] = [await replica(config), await replica(config)];
    const stream = uniqueStreamName('known-stale');
    const mine = await a.store.append(stream, [newEvent()], { expectedRevision: 'no_stream' });
    await b.store.append(stream, [newEvent('FromB')], { expectedRevision: 0 });
    const stale = await a.store
      .append(stream, [newEvent('FromA'), newEvent('FromA')], { expectedRevision: 0, expectedPosition: mine.globalPosition })
      .catch((e: unknown) => e);
    expect(stale).toBeInstanceOf(WrongExpectedRevision);
    expect(stale).toMatchObject({ expected: 0, actual: 1 });
    expect((await b.store.readStream(stream)).map((e) => [e.revision, e.type])).toEqual([
      [0, 'TestEvent'],
      [1, 'FromB'],
    ]);
  });

  it('pins the event itself: a position that is not the tail\'s is refused even when the revision matches', async () => {
    // The one way a revision can sit at another position: the JetStream stream was deleted and
    // created again. A writer that derived its events from the old event must not append them.
    const config = uniqueConfig();
    const a = await replica(config);
    const stream = uniqueStreamName('known-recreated');
    await a.store.append(uniqueStreamName('other'), [newEvent()]); // sequence 1
    const old = await a.store.append(stream, [newEvent()], { expectedRevision: 'no_stream' }); // sequence 2
    await jsm.streams.delete(config.streamName);
    const b = await replica(config); // creates it again
    await b.store.append(stream, [newEvent('Again')], { expectedRevision: 'no_stream' }); // sequence 1
    await expect(a.store.append(stream, [newEvent('OnTheOldTail')], { expectedRevision: 0, expectedPosition: old.globalPosition })).rejects.toMatchObject({
      name: 'WrongExpectedRevision',
      actual: 0,
    });
    expect((await a.store.readStream(stream)).map((e) => e.type)).toEqual(['Again']);
  });

  it('refuses a position without a numeric expected revision', async () => {
    const a = await replica(uniqueConfig());
    for (const expectedRevision of ['any', 'no_stream'] as const) {
      await expect(a.store.append(uniqueStreamName('known-bad'), [newEvent()], { expectedRevision, expectedPosition: 1 })).rejects.toBeInstanceOf(InvalidArgument);
    }
  });
});

describe('JetStreamEventStore tags follow (real NATS)', () => {
  jest.setTimeout(30_000);
  const stores: CountedStore[] = [];
  const created = new Set<string>();

  afterAll(async () => {
    for (const r of stores) await r.store.close();
    const admin = await connect({ servers, name: 'event-store-tags-admin' });
    const jsm = await admin.jetstreamManager();
    for (const name of created) await jsm.streams.delete(name).catch(() => undefined);
    await admin.drain();
    for (const r of stores) await r.nc.drain();
  });

  it.each([
    ['live', {}],
    ['in batches', { batchMs: 20 }],
  ])('%s: stored tags come from the headers with no read of the body; a message without tags is read whole, once', async (_mode, delivery) => {
    const config = uniqueConfig();
    const a = await countedJetStreamStore(servers, config);
    stores.push(a);
    created.add(config.streamName);
    const stream = uniqueStreamName('tagged');
    // The writer's tags differ from the follower's function here, to tell which one was delivered.
    const pad = 'x'.repeat(50_000);
    const writer = (name: string): NewEvent => ({ ...newEvent('W', { name, pad }), tags: { from: 'writer', name } });
    await a.store.append(stream, [writer('ascii'), writer('ñ ✓ \r\n "quoted"')]);
    await a.store.append(stream, [newEvent('U', { name: 'one' })]);
    await a.store.append(stream, [newEvent('U', { name: 'two' }), writer('mixed')]);
    await a.store.append(stream, [writer('last')]);
    const seen: Array<[string, Record<string, string>]> = [];
    const received = a.nc.stats().inBytes;
    const { lookups } = await lookupsDuring(a, async () => {
      const sub = await a.store.subscribeToTags(delivery, (e) => ({ from: 'derived', name: (e.data as { name: string }).name }), (e) => void seen.push([e.type, { ...e.tags }]));
      await waitFor(() => seen.length >= 6);
      await sub.close();
    });
    expect(seen).toEqual([
      ['W', { from: 'writer', name: 'ascii' }],
      ['W', { from: 'writer', name: 'ñ ✓ \r\n "quoted"' }],
      ['U', { from: 'derived', name: 'one' }],
      // A message is tagged only when all its events are: the writer's tags of 'mixed' are not kept.
      ['U', { from: 'derived', name: 'two' }],
      ['W', { from: 'derived', name: 'mixed' }],
      ['W', { from: 'writer', name: 'last' }],
    ]);
    expect(lookups).toBe(2);
    // Five padded bodies are stored; the follower received one of them: the message read whole
    // (base64 in the JetStream API's answer, 4/3 of its size).
    expect(a.nc.stats().inBytes - received).toBeLessThan((pad.length * 4) / 3 + 10_000);
  });
});

async function waitFor(ok: () => boolean, ms = 5000): Promise<void> {
  const until = Date.now() + ms;
  while (!ok()) {
    if (Date.now() > until) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 20));
  }
}
