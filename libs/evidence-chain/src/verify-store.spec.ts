import fc from 'fast-check';
import { chainHeadOf, withChainLink } from './chain-writer';
import { generateCheckpointKeyPair, keyIdOf, signCheckpoint, type Checkpoint } from './checkpoint';
import { describeProblem, verifyStore, type EvidenceReader } from './verify-store';
import { verifyChains, type RecordedEventLike } from './verify';

const { privateKey, publicKey } = generateCheckpointKeyPair();
type Stored = RecordedEventLike & { globalPosition: number };

/** Events appended round-robin to `counts.length` streams, with a checkpoint of every head appended after `checkpointAfter` events. */
function storeOf(counts: number[], checkpointAfter: number): Stored[] {
  const out: Stored[] = [];
  const heads: Record<string, RecordedEventLike> = {};
  const append = (stream: string, type: string, data: unknown) => {
    const last = heads[stream];
    const revision = last ? last.revision + 1 : 0;
    const entry = { stream, revision, eventId: `${stream}-${revision}`, type, data, metadata: { n: out.length } };
    const event = { ...entry, metadata: withChainLink(last && chainHeadOf(last), entry), globalPosition: out.length + 1 };
    heads[stream] = event;
    out.push(event);
  };
  const remaining = [...counts];
  let written = 0;
  while (remaining.some((n) => n > 0)) {
    remaining.forEach((n, i) => {
      if (n <= 0) return;
      append(`session-${i}`, 'E', { i, n });
      remaining[i] = n - 1;
      if (++written === checkpointAfter) {
        const signed = Object.fromEntries(Object.entries(heads).map(([s, e]) => [s, chainHeadOf(e)]));
        const checkpoint: Checkpoint = signCheckpoint(signed, { privateKey, keyId: 'k' });
        append('checkpoints', 'ChainCheckpointed', { type: 'ChainCheckpointed', schemaVersion: 1, checkpoint, throughPosition: out.length });
      }
    });
  }
  return out;
}

const reader = (events: Stored[]): EvidenceReader => {
  const copied = events.map((e, i) => ({ ...e, globalPosition: i + 1 }));
  return {
    readAll: async ({ fromPosition = 0, maxCount = Infinity } = {}) => copied.filter((e) => e.globalPosition >= fromPosition).slice(0, maxCount),
    readStream: async (stream) => copied.filter((e) => e.stream === stream),
  };
};

/** What verifyChains says with the whole store in memory. */
function inMemory(events: Stored[]) {
  const streams: Record<string, RecordedEventLike[]> = {};
  for (const e of events) (streams[e.stream] ??= []).push(e);
  const checkpoints = (streams['checkpoints'] ?? []).map((e) => (e.data as { checkpoint: Checkpoint }).checkpoint);
  return verifyChains(streams, checkpoints, publicKey);
}

describe('verifyStore (streaming) agrees with verifyChains (whole store in memory)', () => {
  it('an intact store', async () => {
    const events = storeOf([4, 2, 5], 6);
    const report = await verifyStore(reader(events), { publicKey, pageSize: 3 });
    expect(report).toMatchObject({ ok: true, streams: 4, events: 12, checkpoints: 1, problems: [], throughPosition: 12 });
    expect(report.lastCheckpointAt).toEqual(expect.any(String));
  });

  it('property: the same report for any alteration, drop or swap of stored events', async () => {
    const edit = fc.oneof(
      fc.record({ kind: fc.constant('alter' as const), at: fc.nat() }),
      fc.record({ kind: fc.constant('drop' as const), at: fc.nat() }),
      fc.record({ kind: fc.constant('swap' as const), at: fc.nat(), with: fc.nat() }),
    );
    await fc.assert(
      fc.asyncProperty(fc.array(fc.integer({ min: 0, max: 5 }), { minLength: 1, maxLength: 4 }), fc.nat({ max: 12 }), fc.array(edit, { maxLength: 3 }), fc.integer({ min: 1, max: 7 }), async (counts, cpAfter, edits, pageSize) => {
        const events = storeOf(counts, cpAfter);
        for (const e of edits) {
          if (events.length === 0) break;
          const i = e.at % events.length;
          if (e.kind === 'alter') events[i] = { ...events[i]!, data: { forged: true } };
          else if (e.kind === 'drop') events.splice(i, 1);
          else {
            const j = e.with % events.length;
            [events[i], events[j]] = [events[j]!, events[i]!];
          }
        }
        const expected = inMemory(events);
        const actual = await verifyStore(reader(events), { publicKey, pageSize });
        expect({ ok: actual.ok, streams: actual.streams, events: actual.events, problems: actual.problems }).toEqual(expected);
      }),
      { numRuns: 200 },
    );
  });

  it('describes every kind of problem in one line naming where', () => {
    expect(describeProblem({ kind: 'missing', stream: 's', revision: 3, count: 2, nextEventId: 'e5' })).toBe('s@3..4: 2 event(s) missing before event e5');
    expect(describeProblem({ kind: 'reordered', stream: 's', revision: 1, eventId: 'e1' })).toMatch(/^s@1 \(event e1\): out of order/);
  });
});

describe('verifyStore across a key rotation', () => {
  const next = generateCheckpointKeyPair();
  const keyId = (k: import('node:crypto').KeyObject) => keyIdOf(k);
  /** One stream with a checkpoint signed by the old key, then more events and one signed by the new key. */
  function rotated(): Stored[] {
    const events = storeOf([3], 0);
    const head = (e: RecordedEventLike) => ({ s: chainHeadOf(e) });
    const cp = (e: RecordedEventLike, key: import('node:crypto').KeyObject, pub: import('node:crypto').KeyObject) =>
      signCheckpoint({ 'session-0': head(e).s }, { privateKey: key, keyId: keyId(pub) });
    const push = (checkpoint: Checkpoint) =>
      events.push({ stream: 'checkpoints', revision: events.filter((x) => x.stream === 'checkpoints').length, eventId: `cp-${events.length}`, type: 'ChainCheckpointed', data: { checkpoint }, metadata: {}, globalPosition: events.length + 1 });
    push(cp(events[2]!, privateKey, publicKey));
    push(cp(events[2]!, next.privateKey, next.publicKey));
    return events;
  }

  it('checks each checkpoint with the key its keyId names; a checkpoint by a key not given is a bad signature', async () => {
    const events = rotated();
    const both = await verifyStore(reader(events), { publicKey: [publicKey, next.publicKey] });
    // The checkpoints stream here is not chained (hand-made), so only its link problems show.
    expect(both.problems.filter((p) => p.kind === 'bad-signature')).toEqual([]);
    const oldOnly = await verifyStore(reader(events), { publicKey: [publicKey, generateCheckpointKeyPair().publicKey] });
    expect(oldOnly.problems.filter((p) => p.kind === 'bad-signature')).toHaveLength(1);
  });
});

describe('verifyStore checks completeness in the same pass', () => {
  const now = new Date('2026-01-01T12:00:00.000Z');
  /** A chained session stream: request r1 decided and completed, r2 decided (allow) at `r2At` and never completed. */
  function sessionStore(r2At: string): Stored[] {
    const out: Stored[] = [];
    let last: RecordedEventLike | undefined;
    const add = (type: string, requestId: string, payload: unknown) => {
      const entry = { stream: 'session-s1', revision: out.length, eventId: `ev-${out.length}`, type, data: { type, requestId, sessionId: 's1', time: r2At, identity: { agent: 'bot' }, payload }, metadata: {} };
      last = { ...entry, metadata: withChainLink(last && chainHeadOf(last), entry) };
      out.push({ ...last, globalPosition: out.length + 1 });
    };
    const decision = { decision: { effect: 'allow' } };
    add('PolicyDecided', 'r1', decision);
    add('RequestCompleted', 'r1', { outcome: 'forwarded' });
    add('RequestIntercepted', 'r2', { request: { verb: 'get', resource: 'pods', namespace: 'default', name: 'p' } });
    add('PolicyDecided', 'r2', decision);
    return out;
  }

  it('given a request decided long ago and never completed, then the store is not ok although every chain is intact', async () => {
    const report = await verifyStore(reader(sessionStore('2026-01-01T11:00:00.000Z')), { publicKey, now: () => now, pageSize: 2 });
    expect(report.problems).toEqual([]);
    expect(report.ok).toBe(false);
    expect(report.verifiedAt).toBe(now.toISOString());
    expect(report.completeness).toMatchObject({ ok: false, proceeded: 2, inFlight: 0, graceSeconds: 60 });
    expect(report.completeness?.incomplete).toEqual([expect.objectContaining({ kind: 'decided-not-completed', requestId: 'r2', agent: 'bot', verb: 'get', resource: 'pods', name: 'p' })]);
  });

  it('given the same request within the grace window, then it is in flight and the store is ok; completeness: false skips the pass', async () => {
    const recent = await verifyStore(reader(sessionStore('2026-01-01T11:59:30.000Z')), { publicKey, now: () => now });
    expect(recent).toMatchObject({ ok: true, completeness: { ok: true, inFlight: 1, incomplete: [] } });
    const longGrace = await verifyStore(reader(sessionStore('2026-01-01T11:00:00.000Z')), { publicKey, now: () => now, completeness: { graceSeconds: 7200 } });
    expect(longGrace).toMatchObject({ ok: true, completeness: { ok: true, inFlight: 1, graceSeconds: 7200 } });
    const skipped = await verifyStore(reader(sessionStore('2026-01-01T11:00:00.000Z')), { publicKey, now: () => now, completeness: false });
    expect(skipped.ok).toBe(true);
    expect(skipped.completeness).toBeUndefined();
  });
});

describe('verifyStore lets a caller fold the same pass', () => {
  it('given a store read in pages, when verifying with observe, then it sees every event once, in global order, without another read', async () => {
    const events = storeOf([3, 4], 5);
    const counted = () => {
      const store = reader(events);
      const c: { reads: number; store: EvidenceReader } = { reads: 0, store: { ...store, readAll: (opts?: { fromPosition?: number; maxCount?: number }) => (c.reads++, store.readAll(opts)) } as EvidenceReader };
      return c;
    };
    const plain = counted();
    await verifyStore(plain.store, { publicKey, pageSize: 2 });
    const observed = counted();
    const seen: number[] = [];
    const report = await verifyStore(observed.store, { publicKey, pageSize: 2, observe: (e) => seen.push(e.globalPosition) });
    expect(report.ok).toBe(true);
    expect(seen).toEqual(events.map((_, i) => i + 1));
    expect(observed.reads).toBe(plain.reads);
  });
});
