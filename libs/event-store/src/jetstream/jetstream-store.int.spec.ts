import { randomUUID } from 'node:crypto';
import { connect, headers, StorageType, type JetStreamManager, type NatsConnection } from 'nats';
import { EventIdConflict, StoreUnavailable, WrongExpectedRevision } from '../port';
import { eventStoreContract, newEvent, uniqueStreamName } from '../testing/event-store-contract';
import { chainedEventStore } from '../chained/chained-store';
import { JsErrCodes, jsErrCode } from './errors';
import { EvidenceHeaders, JetStreamEventStore } from './jetstream-store';
import { ensureEvidenceStream, type EvidenceStreamConfig } from './stream-config';

const servers = [process.env['NATS_URL'] ?? 'nats://127.0.0.1:4222'];

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

  it('stores the documented headers; event stream S is subject <prefix>.S', async () => {
    const stream = uniqueStreamName('session.hdrs');
    const e = newEvent('RequestCompleted', { ok: 1 }, { k: 'v' });
    const r = await store.append(stream, [e]);
    const m = await jsm.streams.getMessage(config.streamName, { seq: r.globalPosition });
    expect(m.subject).toBe(`${config.subjectPrefix}.${stream}`);
    expect(m.header.get('Nats-Msg-Id')).toBe(e.eventId);
    expect(m.header.get('Chaperone-Stream')).toBe(stream);
    expect(m.header.get('Chaperone-Revision')).toBe('0');
    expect(m.header.get('Chaperone-Event-Type')).toBe('RequestCompleted');
    expect(JSON.parse(m.header.get('Chaperone-Metadata'))).toEqual({ k: 'v' });
    expect(m.json()).toEqual({ ok: 1 });
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
 * The tail memo (see JetStreamEventStore): a numeric append at the revision the store last saw
 * publishes without looking the tail up again. Each replica is its own store and connection, and
 * lookups are counted on the JetStream manager the store gets from its connection.
 */
describe('JetStreamEventStore tail memo (real NATS, two replicas)', () => {
  jest.setTimeout(30_000);
  const connections: NatsConnection[] = [];
  const stores: JetStreamEventStore[] = [];
  const created = new Set<string>();
  let jsm: JetStreamManager;

  /** A replica of the store on its own connection; `lookups()` counts its direct gets of a tail. */
  async function replica(config: EvidenceStreamConfig): Promise<{ store: JetStreamEventStore; lookups: () => number }> {
    const nc = await connect({ servers, name: 'event-store-tail-memo' });
    connections.push(nc);
    const open = nc.jetstreamManager.bind(nc);
    let getMessage: jest.SpyInstance | undefined;
    jest.spyOn(nc, 'jetstreamManager').mockImplementation(async (opts) => {
      const m = await open(opts);
      getMessage = jest.spyOn(m.streams, 'getMessage');
      return m;
    });
    const store = await JetStreamEventStore.create(nc, config);
    created.add(config.streamName);
    stores.push(store);
    return { store, lookups: () => getMessage?.mock.calls.length ?? 0 };
  }

  /** Lookups made by `run`. */
  async function lookupsDuring<T>(r: { lookups: () => number }, run: () => Promise<T>): Promise<{ result: T; lookups: number }> {
    const before = r.lookups();
    const result = await run();
    return { result, lookups: r.lookups() - before };
  }

  beforeAll(async () => {
    const nc = await connect({ servers, name: 'event-store-tail-memo-admin' });
    connections.push(nc);
    jsm = await nc.jetstreamManager();
  });
  afterAll(async () => {
    for (const s of stores) await s.close();
    for (const name of created) await jsm.streams.delete(name).catch(() => undefined);
    for (const nc of connections) await nc.drain();
  });

  it('an append at the revision just read or just written costs no lookup; no_stream and any still look up', async () => {
    const config = uniqueConfig();
    const [a, b] = [await replica(config), await replica(config)];
    const stream = uniqueStreamName('memo');
    expect(await lookupsDuring(a, () => a.store.append(uniqueStreamName('memo-new'), [newEvent()], { expectedRevision: 'no_stream' }))).toMatchObject({
      lookups: 1,
    });
    await b.store.append(stream, [newEvent()], { expectedRevision: 'no_stream' }); // A knows nothing of it
    const read = await lookupsDuring(a, () => a.store.readLastEvent(stream));
    expect(read).toMatchObject({ result: { revision: 0 }, lookups: 1 });
    // The audit path: readLastEvent, then append at its revision.
    const next = await lookupsDuring(a, () => a.store.append(stream, [newEvent()], { expectedRevision: 0 }));
    expect(next).toMatchObject({ result: { nextExpectedRevision: 1 }, lookups: 0 });
    // Its own append taught it the new tail.
    expect(await lookupsDuring(a, () => a.store.append(stream, [newEvent(), newEvent()], { expectedRevision: 1 }))).toMatchObject({
      result: { nextExpectedRevision: 3 },
      lookups: 0,
    });
    expect(await lookupsDuring(a, () => a.store.append(stream, [newEvent()], { expectedRevision: 'any' }))).toMatchObject({ lookups: 1 });
    // A revision other than the remembered one is looked up (and refused here).
    const wrong = await lookupsDuring(a, () => a.store.append(stream, [newEvent()], { expectedRevision: 2 }).catch((e: unknown) => e));
    expect(wrong).toMatchObject({ result: { name: 'WrongExpectedRevision', actual: 4 }, lookups: 1 });
    // A re-append of the remembered tail is decided on a real lookup, as without the memo.
    const last = await a.store.readLastEvent(stream);
    const again = await lookupsDuring(a, () =>
      a.store.append(stream, [{ eventId: last?.eventId ?? '', type: 'TestEvent', data: null }], { expectedRevision: 4 }),
    );
    expect(again).toEqual({ result: { nextExpectedRevision: 4, globalPosition: last?.globalPosition, duplicate: true }, lookups: 1 });
    expect((await a.store.readStream(stream)).map((e) => e.revision)).toEqual([0, 1, 2, 3, 4]);
  });

  it('the audit path (hash-chained: readLastEvent, then append at its revision) makes one lookup per event', async () => {
    const config = uniqueConfig();
    const a = await replica(config);
    const chained = chainedEventStore(a.store);
    const stream = uniqueStreamName('memo-audit');
    await chained.append(stream, [newEvent()], { expectedRevision: 'no_stream' });
    const stored = await lookupsDuring(a, async () => {
      for (let i = 0; i < 5; i++) {
        const last = await chained.readLastEvent(stream);
        await chained.append(stream, [newEvent()], { expectedRevision: last ? last.revision : 'no_stream' });
      }
    });
    expect(stored.lookups).toBe(5); // was 10: the adapter looked the tail up again
    expect((await a.store.readStream(stream)).map((e) => e.revision)).toEqual([0, 1, 2, 3, 4, 5]);
  });

  it('a stale memo (the other replica appended) is refused by the server, reported with the actual revision, never interleaved', async () => {
    const config = uniqueConfig();
    const [a, b] = [await replica(config), await replica(config)];
    const stream = uniqueStreamName('memo-stale');
    await a.store.append(stream, [newEvent()], { expectedRevision: 'no_stream' });
    await a.store.readLastEvent(stream); // A remembers revision 0
    await b.store.append(stream, [newEvent('FromB')], { expectedRevision: 0 });

    const stale = await lookupsDuring(a, () => a.store.append(stream, [newEvent('FromA')], { expectedRevision: 0 }).catch((e: unknown) => e));
    expect(stale.result).toBeInstanceOf(WrongExpectedRevision);
    expect(stale.result).toMatchObject({ expected: 0, actual: 1 });
    expect(stale.lookups).toBe(1); // the memo was tried first: one real lookup, after the refusal
    expect((await a.store.readStream(stream)).map((e) => e.type)).toEqual(['TestEvent', 'FromB']);

    // With B's revision, read fresh: appended, without a second lookup.
    const last = await a.store.readLastEvent(stream);
    expect(last).toMatchObject({ revision: 1, type: 'FromB' });
    const ok = await lookupsDuring(a, () => a.store.append(stream, [newEvent('FromA')], { expectedRevision: 1 }));
    expect(ok).toMatchObject({ result: { nextExpectedRevision: 2, duplicate: false }, lookups: 0 });
    // B's own memo (revision 1) is stale now: refused the same way.
    await expect(b.store.append(stream, [newEvent()], { expectedRevision: 1 })).rejects.toMatchObject({ name: 'WrongExpectedRevision', actual: 2 });
    expect((await b.store.readStream(stream)).map((e) => [e.revision, e.type])).toEqual([
      [0, 'TestEvent'],
      [1, 'FromB'],
      [2, 'FromA'],
    ]);
  });

  it('a refusal of the memo is not a conflict by itself: the append is decided again on a real lookup', async () => {
    // The one way a remembered revision can sit at another sequence: the JetStream stream was
    // deleted and created again. The stream is at the expected revision, so the append must land.
    const config = uniqueConfig();
    const a = await replica(config);
    const stream = uniqueStreamName('memo-recreated');
    await a.store.append(uniqueStreamName('other'), [newEvent()]); // sequence 1
    await a.store.append(stream, [newEvent()], { expectedRevision: 'no_stream' }); // sequence 2, remembered
    await jsm.streams.delete(config.streamName);
    const b = await replica(config); // creates it again
    await b.store.append(stream, [newEvent('Again')], { expectedRevision: 'no_stream' }); // sequence 1
    const r = await lookupsDuring(a, () => a.store.append(stream, [newEvent('AfterMemo')], { expectedRevision: 0 }));
    expect(r).toMatchObject({ result: { nextExpectedRevision: 1, globalPosition: 2, duplicate: false }, lookups: 1 });
    expect((await a.store.readStream(stream)).map((e) => e.type)).toEqual(['Again', 'AfterMemo']);
  });

  it('a re-append of the remembered tail is decided on what is stored now, also in a stream created again', async () => {
    const config = uniqueConfig();
    const a = await replica(config);
    const stream = uniqueStreamName('memo-reappend');
    const e = newEvent();
    await a.store.append(uniqueStreamName('other'), [newEvent()]); // sequence 1
    await a.store.append(stream, [e], { expectedRevision: 'no_stream' }); // sequence 2, remembered
    await jsm.streams.delete(config.streamName);
    const b = await replica(config);
    await b.store.append(stream, [e], { expectedRevision: 'no_stream' }); // sequence 1 now
    // A scan bounded by the remembered sequence 2 would wait for a message that is not there
    // (and time out as StoreUnavailable) while it looks for the id that is not stored.
    await expect(a.store.append(stream, [newEvent(), e], { expectedRevision: 0 })).rejects.toBeInstanceOf(EventIdConflict);
    await expect(a.store.append(stream, [e], { expectedRevision: 0 })).resolves.toEqual({ nextExpectedRevision: 0, globalPosition: 1, duplicate: true });
  });

  it('remembers at most 1024 subjects, dropping the oldest', async () => {
    const a = await replica(uniqueConfig());
    const oldest = uniqueStreamName('memo-oldest');
    await a.store.append(oldest, [newEvent()], { expectedRevision: 'no_stream' });
    const others = Array.from({ length: 1024 }, () => uniqueStreamName('memo-fill'));
    for (let i = 0; i < others.length; i += 128) {
      await Promise.all(others.slice(i, i + 128).map((s) => a.store.append(s, [newEvent()], { expectedRevision: 'no_stream' })));
    }
    const newest = others[others.length - 1] ?? '';
    expect(await lookupsDuring(a, () => a.store.append(newest, [newEvent()], { expectedRevision: 0 }))).toMatchObject({ lookups: 0 });
    expect(await lookupsDuring(a, () => a.store.append(oldest, [newEvent()], { expectedRevision: 0 }))).toMatchObject({
      result: { nextExpectedRevision: 1 },
      lookups: 1,
    });
  });
});
