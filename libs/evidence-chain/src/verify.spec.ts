import fc from 'fast-check';
import { canonicalJson } from './canonical-json';
import { linkHash } from './chain';
import { chainHeadOf, withChainLink } from './chain-writer';
import { Checkpoint, generateCheckpointKeyPair, signCheckpoint } from './checkpoint';
import { RecordedEventLike, verifyChains } from './verify';

const { privateKey, publicKey } = generateCheckpointKeyPair();
const now = () => new Date('2024-05-01T12:00:00.000Z');

interface Draft {
  type: string;
  data: unknown;
  metadata?: Record<string, unknown>;
}

/** Appends drafts to a stream the way the appender does: each link from the previous head. */
function buildStream(stream: string, drafts: Draft[]): RecordedEventLike[] {
  const events: RecordedEventLike[] = [];
  drafts.forEach((d, revision) => {
    const last = events[events.length - 1];
    const entry = { stream, revision, eventId: `${stream}-e${revision}`, type: d.type, data: d.data, metadata: d.metadata ?? {} };
    events.push({ ...entry, metadata: withChainLink(last && chainHeadOf(last), entry) });
  });
  return events;
}

const drafts = (n: number): Draft[] =>
  Array.from({ length: n }, (_, i) => ({ type: 'RequestObserved', data: { verb: 'get', i }, metadata: { actor: 'agent' } }));

function checkpointOf(streams: Record<string, RecordedEventLike[]>): Checkpoint {
  const heads: Record<string, { revision: number; hash: string }> = {};
  for (const [name, events] of Object.entries(streams)) {
    const last = events[events.length - 1];
    if (last) heads[name] = chainHeadOf(last);
  }
  return signCheckpoint(heads, { privateKey, keyId: 'k1', now });
}

function store(): Record<string, RecordedEventLike[]> {
  return { 'session-a': buildStream('session-a', drafts(6)), 'session-b': buildStream('session-b', drafts(3)) };
}

describe('verifyChains', () => {
  it('(f) an untouched store with its checkpoint is ok', () => {
    const streams = store();
    const report = verifyChains(streams, [checkpointOf(streams)], publicKey);
    expect(report).toEqual({ ok: true, streams: 2, events: 9, problems: [] });
    expect(verifyChains({}, [], publicKey)).toEqual({ ok: true, streams: 0, events: 0, problems: [] });
  });

  it('accepts a PEM public key', () => {
    const streams = store();
    const pem = publicKey.export({ format: 'pem', type: 'spki' }).toString();
    expect(verifyChains(streams, [checkpointOf(streams)], pem).ok).toBe(true);
  });

  it('(a) altered data is a broken link naming the event', () => {
    const streams = store();
    const original = streams['session-a']![2]!;
    streams['session-a']![2] = { ...original, data: { verb: 'delete', i: 2 } };
    const report = verifyChains(streams, [], publicKey);
    expect(report.ok).toBe(false);
    expect(report.problems).toEqual([
      {
        kind: 'broken-link',
        stream: 'session-a',
        revision: 2,
        eventId: 'session-a-e2',
        expected: original.metadata['chainHash'],
        actual: linkHash(original.metadata['prevHash'] as string, streams['session-a']![2]!),
      },
    ]);
  });

  it('reports only the first broken link of a stream', () => {
    const streams = store();
    const a = streams['session-a']!;
    a[1] = { ...a[1]!, type: 'Forged' };
    a[4] = { ...a[4]!, type: 'Forged' };
    const broken = verifyChains(streams, [], publicKey).problems.filter((p) => p.kind === 'broken-link');
    expect(broken).toEqual([expect.objectContaining({ stream: 'session-a', revision: 1, eventId: 'session-a-e1' })]);
  });

  it('(b) a dropped event is missing', () => {
    const streams = store();
    streams['session-a']!.splice(3, 1);
    expect(verifyChains(streams, [], publicKey).problems).toEqual([
      { kind: 'missing', stream: 'session-a', revision: 3, count: 1, nextEventId: 'session-a-e4' },
    ]);
    const first = store();
    first['session-b']!.shift();
    expect(verifyChains(first, [], publicKey).problems).toEqual([
      { kind: 'missing', stream: 'session-b', revision: 0, count: 1, nextEventId: 'session-b-e1' },
    ]);
  });

  it('(c) swapped events are reordered, naming both', () => {
    const streams = store();
    const a = streams['session-a']!;
    [a[1], a[4]] = [a[4]!, a[1]!];
    expect(verifyChains(streams, [checkpointOf(store())], publicKey).problems).toEqual([
      { kind: 'reordered', stream: 'session-a', revision: 4, eventId: 'session-a-e4' },
      { kind: 'reordered', stream: 'session-a', revision: 1, eventId: 'session-a-e1' },
    ]);
  });

  it('a forged replacement with a self-consistent link breaks the next link (reordered)', () => {
    const streams = store();
    const a = streams['session-a']!;
    const forged = { ...a[2]!, data: { verb: 'delete' } };
    forged.metadata = withChainLink({ hash: a[1]!.metadata['chainHash'] as string }, forged);
    a[2] = forged;
    expect(verifyChains(streams, [], publicKey).problems).toEqual([
      { kind: 'reordered', stream: 'session-a', revision: 3, eventId: 'session-a-e3' },
    ]);
  });

  it('(d) a consistent rewrite after a checkpoint is a head mismatch', () => {
    const streams = store();
    const cp = checkpointOf(streams);
    const rewritten = drafts(6);
    rewritten[1] = { ...rewritten[1]!, data: { verb: 'delete', i: 1 } };
    streams['session-a'] = buildStream('session-a', rewritten);
    const report = verifyChains(streams, [cp], publicKey);
    expect(report.ok).toBe(false);
    expect(report.problems).toEqual([
      {
        kind: 'head-mismatch',
        stream: 'session-a',
        checkpointAt: cp.at,
        checkpointRevision: 5,
        expected: cp.heads['session-a']!.hash,
        actual: streams['session-a']![5]!.metadata['chainHash'],
      },
    ]);
    // Without the checkpoint the rewrite is self-consistent: that is what checkpoints are for.
    expect(verifyChains(streams, [], publicKey).ok).toBe(true);
  });

  it('events a checkpoint covers that are gone are truncated', () => {
    const streams = store();
    const cp = checkpointOf(streams);
    streams['session-a']!.splice(4);
    delete streams['session-b'];
    expect(verifyChains(streams, [cp], publicKey).problems).toEqual([
      { kind: 'truncated', stream: 'session-a', checkpointAt: cp.at, checkpointRevision: 5, actualLastRevision: 3 },
      { kind: 'truncated', stream: 'session-b', checkpointAt: cp.at, checkpointRevision: 2, actualLastRevision: -1 },
    ]);
  });

  it('(e) a checkpoint with a tampered signature is bad-signature and its heads are not trusted', () => {
    const streams = store();
    const cp = checkpointOf(streams);
    const sig = Buffer.from(cp.signature, 'base64');
    sig[10] = (sig[10] ?? 0) ^ 0xff;
    const tampered = { ...cp, signature: sig.toString('base64') };
    const forgedHeads = { ...cp, heads: { 'session-a': { revision: 99, hash: cp.heads['session-a']!.hash } } };
    expect(verifyChains(streams, [tampered, forgedHeads], publicKey).problems).toEqual([
      { kind: 'bad-signature', checkpointAt: cp.at },
      { kind: 'bad-signature', checkpointAt: cp.at },
    ]);
    const other = generateCheckpointKeyPair().publicKey;
    expect(verifyChains(streams, [cp], other).problems).toEqual([{ kind: 'bad-signature', checkpointAt: cp.at }]);
  });

  it('reports every kind it can at once', () => {
    const streams = store();
    const cp = checkpointOf(streams);
    const a = streams['session-a']!;
    a[0] = { ...a[0]!, data: 'changed' };
    a.splice(2, 1);
    const b = streams['session-b']!;
    [b[0], b[1]] = [b[1]!, b[0]!];
    b.pop();
    const bad = { ...cp, signature: cp.signature.replace(/^./, (c) => (c === 'A' ? 'B' : 'A')) };
    const kinds = verifyChains(streams, [cp, bad], publicKey).problems.map((p) => p.kind);
    expect(new Set(kinds)).toEqual(
      new Set(['broken-link', 'missing', 'reordered', 'head-mismatch', 'truncated', 'bad-signature']),
    );
  });

  it('catches an event moved to another stream and events without chain metadata', () => {
    const streams = store();
    const moved = streams['session-a']!.pop()!;
    streams['session-b']!.push({ ...moved, revision: 3 });
    const problems = verifyChains(streams, [], publicKey).problems;
    expect(problems).toContainEqual(expect.objectContaining({ kind: 'broken-link', stream: 'session-b', revision: 3 }));
    const bare = store();
    bare['session-b']![1] = { ...bare['session-b']![1]!, metadata: { actor: 'agent' } };
    expect(verifyChains(bare, [], publicKey).problems).toContainEqual(
      expect.objectContaining({ kind: 'broken-link', stream: 'session-b', revision: 1, expected: '<absent>' }),
    );
  });

  it('property: any single-field mutation of any event is detected', () => {
    const draftArb = fc.record({
      type: fc.string({ minLength: 1, maxLength: 8 }),
      data: fc.jsonValue({ maxDepth: 2 }),
      metadata: fc.dictionary(fc.string({ maxLength: 6 }), fc.jsonValue({ maxDepth: 1 }), { maxKeys: 3 }),
    });
    const fieldArb = fc.constantFrom('stream', 'revision', 'eventId', 'type', 'data', 'metadata', 'prevHash', 'chainHash');
    fc.assert(
      fc.property(
        fc.array(draftArb, { minLength: 1, maxLength: 6 }),
        fc.nat(),
        fieldArb,
        fc.jsonValue({ maxDepth: 2 }),
        fc.boolean(),
        (ds, pick, field, replacement, withCheckpoint) => {
          const streams = { s: buildStream('s', ds) };
          const checkpoints = withCheckpoint ? [checkpointOf(streams)] : [];
          const events = streams.s;
          const index = pick % events.length;
          const original = events[index]!;
          const mutated: RecordedEventLike = { ...original, metadata: { ...original.metadata } };
          switch (field) {
            case 'stream':
            case 'eventId':
            case 'type': {
              const value = typeof replacement === 'string' ? replacement : canonicalJson(replacement);
              fc.pre(value !== original[field]);
              mutated[field] = value;
              break;
            }
            case 'revision':
              mutated.revision = typeof replacement === 'number' ? replacement : original.revision + 1 + (pick % 3);
              fc.pre(mutated.revision !== original.revision);
              break;
            case 'data':
              fc.pre(canonicalJson(replacement) !== canonicalJson(original.data));
              mutated.data = replacement;
              break;
            case 'metadata': {
              const key = `k${pick % 4}`;
              fc.pre(canonicalJson(replacement) !== canonicalJson(original.metadata[key] ?? null) || !(key in original.metadata));
              mutated.metadata[key] = replacement;
              break;
            }
            case 'prevHash':
            case 'chainHash': {
              const current = String(original.metadata[field]);
              mutated.metadata[field] = current.slice(0, -1) + (current.endsWith('0') ? '1' : '0');
              break;
            }
          }
          events[index] = mutated;
          const report = verifyChains(streams, checkpoints, publicKey);
          expect(report.ok).toBe(false);
          if (['stream', 'eventId', 'type', 'data', 'metadata', 'chainHash', 'prevHash'].includes(field)) {
            expect(report.problems).toContainEqual(
              expect.objectContaining({ kind: 'broken-link', stream: 's', revision: index, eventId: mutated.eventId }),
            );
          }
        },
      ),
      { numRuns: 300 },
    );
  });
});
