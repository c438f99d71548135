import { createHash } from 'node:crypto';
import { canonicalJson } from './canonical-json';
import fc from 'fast-check';
import { chainedContent, chainHashes, GENESIS, isChainHash, linkHash, storedWithLink, type ChainEntry } from './chain';
import { chainHeadOf, nextLink, withChainLink } from './chain-writer';

const entry = (revision: number, data: unknown = { n: revision }) => ({
  stream: 'session-1',
  revision,
  eventId: `00000000-0000-4000-8000-00000000000${revision}`,
  type: 'RequestObserved',
  data,
  metadata: { actor: 'agent-a' },
});

describe('hash chain', () => {
  it('starts from an all-zero genesis', () => {
    expect(GENESIS).toBe(`sha256:${'0'.repeat(64)}`);
    expect(isChainHash(GENESIS)).toBe(true);
  });

  it('links as sha256(prevHash + "\\n" + canonicalJson(entry))', () => {
    const e = entry(0);
    const expected = createHash('sha256')
      .update(`${GENESIS}\n${canonicalJson(e)}`)
      .digest('hex');
    expect(linkHash(GENESIS, e)).toBe(`sha256:${expected}`);
  });

  it('covers only the entry fields, not the chain members or store-assigned fields', () => {
    const e = entry(0);
    const recorded = {
      ...e,
      globalPosition: 42,
      recordedAt: '2024-01-01T00:00:00Z',
      metadata: { ...e.metadata, prevHash: GENESIS, chainHash: 'sha256:whatever' },
    };
    expect(linkHash(GENESIS, recorded)).toBe(linkHash(GENESIS, e));
    expect(Object.keys(chainedContent(recorded)).sort()).toEqual(
      ['data', 'eventId', 'metadata', 'revision', 'stream', 'type'].sort(),
    );
  });

  it('changes with every covered field and with the previous link', () => {
    const base = linkHash(GENESIS, entry(0));
    const variants = [
      { ...entry(0), stream: 'session-2' },
      { ...entry(0), revision: 1 },
      { ...entry(0), eventId: 'other' },
      { ...entry(0), type: 'Other' },
      entry(0, { n: 1 }),
      { ...entry(0), metadata: { actor: 'agent-b' } },
    ];
    for (const v of variants) expect(linkHash(GENESIS, v)).not.toBe(base);
    expect(linkHash(base, entry(0))).not.toBe(base);
  });

  it('rejects a malformed previous link', () => {
    expect(() => linkHash('sha256:abc', entry(0))).toThrow(/prevHash must look like/);
  });

  it('chainHashes folds the stream from genesis', () => {
    const events = [entry(0), entry(1), entry(2)];
    const hashes = chainHashes(events);
    expect(hashes).toHaveLength(3);
    expect(hashes[0]).toBe(linkHash(GENESIS, events[0]!));
    expect(hashes[2]).toBe(linkHash(hashes[1]!, events[2]!));
    expect(chainHashes([])).toEqual([]);
    expect(() => chainHashes([entry(0), { ...entry(1), stream: 'x' }])).toThrow(/one stream/);
  });
});

describe('chain writer', () => {
  it('nextLink starts at genesis and follows the previous head', () => {
    const first = nextLink(undefined, entry(0));
    expect(first).toEqual({ prevHash: GENESIS, chainHash: linkHash(GENESIS, entry(0)) });
    const second = nextLink({ hash: first.chainHash }, entry(1));
    expect(second).toEqual({ prevHash: first.chainHash, chainHash: linkHash(first.chainHash, entry(1)) });
    expect(chainHashes([entry(0), entry(1)])).toEqual([first.chainHash, second.chainHash]);
  });

  it('nextLink refuses to start a chain mid-stream or follow a malformed head', () => {
    expect(() => nextLink(undefined, entry(3))).toThrow(/only revision 0 starts a chain/);
    expect(() => nextLink({ hash: 'nope' }, entry(1))).toThrow(/previous link must look like/);
  });

  it('withChainLink merges the link into metadata and chainHeadOf reads it back', () => {
    const metadata = withChainLink(undefined, entry(0));
    expect(metadata).toEqual({ actor: 'agent-a', prevHash: GENESIS, chainHash: linkHash(GENESIS, entry(0)) });
    expect(chainHeadOf({ ...entry(0), metadata })).toEqual({ revision: 0, hash: metadata['chainHash'] });
    expect(() => chainHeadOf(entry(0))).toThrow(/session-1@0 carries no well-formed metadata.chainHash/);
  });
});

describe('linking an entry as the store gives it back', () => {
  const linkHashAsStored = (prevHash: string, e: ChainEntry): unknown => storedWithLink(prevHash, e).metadata['chainHash'];
  const roundTrip = (v: unknown): unknown => JSON.parse(JSON.stringify(v ?? null));
  const afterStore = (e: ChainEntry): ChainEntry => ({ ...e, data: roundTrip(e.data), metadata: roundTrip(e.metadata) as Record<string, unknown> });

  it('given an entry that JSON changes, then its link is the link of what a reader gets back', () => {
    const changed = { ...entry(3, { at: new Date(0), gone: undefined, ratio: NaN, items: [undefined] }), metadata: { actor: 'agent-a', extra: undefined, chainHash: 'x' } };
    expect(linkHashAsStored(GENESIS, changed)).toBe(linkHash(GENESIS, afterStore(changed)));
    expect(linkHashAsStored(GENESIS, changed)).not.toBe(linkHash(GENESIS, { ...changed, data: { at: new Date(0) } }));
    expect(linkHashAsStored(GENESIS, { ...entry(0), data: undefined })).toBe(linkHash(GENESIS, { ...entry(0), data: null }));
  });

  it('given metadata that is not a plain record, then it is linked after the round trip', () => {
    const odd = { ...entry(1), metadata: { actor: 'agent-a', toJSON: () => ({ actor: 'someone else' }) } };
    expect(linkHashAsStored(GENESIS, odd)).toBe(linkHash(GENESIS, afterStore(odd)));
    expect(() => linkHashAsStored(GENESIS, { ...entry(1), data: () => 1 })).toThrow();
    expect(linkHashAsStored(GENESIS, { ...entry(0), data: new Date(5) })).toBe(linkHash(GENESIS, { ...entry(0), data: new Date(5).toISOString() }));
  });

  it('property: the link of any data and metadata is the link after a JSON round trip', () => {
    fc.assert(
      fc.property(fc.anything({ withDate: true, withMap: true, withBoxedValues: true }), fc.dictionary(fc.string(), fc.anything({ withDate: true })), (data, metadata) => {
        const e = { ...entry(2), data, metadata };
        expect(linkHashAsStored(GENESIS, e)).toBe(linkHash(GENESIS, afterStore(e)));
      }),
      { numRuns: 300 },
    );
  });

  it('property: a writer hashes the content it composes as a verifier does the whole, and its data JSON holds the stored data', () => {
    fc.assert(
      fc.property(
        fc.record({ stream: fc.string(), revision: fc.nat(), eventId: fc.string(), type: fc.string() }),
        fc.anything({ withDate: true, withBoxedValues: true }),
        fc.dictionary(fc.string(), fc.anything({ withDate: true })),
        (ids, data, metadata) => {
          const e = { ...ids, data, metadata };
          const stored = storedWithLink(GENESIS, e);
          expect(stored.metadata['chainHash']).toBe(linkHash(GENESIS, afterStore(e)));
          expect(JSON.parse(stored.dataJson)).toEqual(roundTrip(data));
        },
      ),
      { numRuns: 300 },
    );
    // An untyped caller's odd member takes the general path and still hashes as the whole.
    const odd = { ...entry(1), eventId: undefined as unknown as string };
    expect(storedWithLink(GENESIS, odd).metadata['chainHash']).toBe(linkHash(GENESIS, afterStore(odd)));
  });

  it('property: the metadata a writer stores verifies, keeps every other member and leaves what it was given unchanged', () => {
    const names = fc.oneof(fc.string(), fc.constantFrom('__proto__', 'prevHash', 'chainHash', 'toString'));
    fc.assert(
      fc.property(fc.jsonValue(), fc.dictionary(names, fc.jsonValue()), (data, metadata) => {
        const given = JSON.stringify(metadata);
        const e = { ...entry(0), data, metadata };
        const stored = storedWithLink(GENESIS, e).metadata;
        const read = JSON.parse(JSON.stringify(stored)) as Record<string, unknown>;
        expect(read['prevHash']).toBe(GENESIS);
        expect(read['chainHash']).toBe(linkHash(GENESIS, { ...afterStore(e), metadata: read }));
        const others = (m: Record<string, unknown>) => Object.entries(m).filter(([k]) => k !== 'prevHash' && k !== 'chainHash');
        expect(others(read)).toEqual(others(roundTrip(metadata) as Record<string, unknown>));
        expect(JSON.stringify(metadata)).toBe(given);
      }),
      { numRuns: 300 },
    );
  });
});
