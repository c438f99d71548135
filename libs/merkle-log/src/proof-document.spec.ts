import { generateCheckpointKeyPair, keyIdOf, linkHash, GENESIS, type ChainEntry } from '@chaperone/evidence-chain';
import {
  consistencyProofDocument,
  evidenceLeaf,
  evidenceLeafHash,
  headsOf,
  inclusionProofDocument,
  MerkleTree,
  signTreeHead,
  verifyProofDocument,
  verifyTreeHead,
  type InclusionProofDocument,
} from '.';

const { privateKey, publicKey } = generateCheckpointKeyPair();
const now = () => new Date('2025-01-02T03:04:05.000Z');

/** Given a session's events as the chaining decorator stores them (chain members in metadata). */
function events(n: number, stream = 'session-s1'): ChainEntry[] {
  let prev = GENESIS;
  return Array.from({ length: n }, (_, revision) => {
    const entry: ChainEntry = { stream, revision, eventId: `e-${stream}-${revision}`, type: 'RequestCompleted', data: { requestId: `r${revision % 3}`, i: revision }, metadata: { traceId: 't' } };
    const chainHash = linkHash(prev, entry);
    const stored = { ...entry, metadata: { ...entry.metadata, prevHash: prev, chainHash } };
    prev = chainHash;
    return stored;
  });
}

const log = events(11);
const tree = MerkleTree.fromLeafHashes(log.map(evidenceLeafHash));
const sign = { privateKey, now };
const verifyOpts = { publicKeys: [publicKey] };

describe('evidence leaves', () => {
  it('are the canonical JSON the chain link covers: chain members out, key order fixed', () => {
    const e = log[0] as ChainEntry;
    expect(evidenceLeaf(e).toString('utf8')).toBe(
      '{"data":{"i":0,"requestId":"r0"},"eventId":"e-session-s1-0","metadata":{"traceId":"t"},"revision":0,"stream":"session-s1","type":"RequestCompleted"}',
    );
  });
});

describe('signed tree heads', () => {
  it('sign (size, root, time) with the checkpoint key and verify with its public half only', () => {
    const head = signTreeHead({ size: tree.size, rootHash: tree.rootHash() }, sign);
    expect(head).toMatchObject({ size: 11, timestamp: '2025-01-02T03:04:05.000Z', keyId: keyIdOf(publicKey) });
    expect(verifyTreeHead(head, publicKey)).toBe(true);
    expect(verifyTreeHead({ ...head, size: 10 }, publicKey)).toBe(false);
    expect(verifyTreeHead({ ...head, timestamp: '2025-01-02T03:04:06.000Z' }, publicKey)).toBe(false);
    expect(verifyTreeHead({ ...head, rootHash: tree.rootHash(10).toString('hex') }, publicKey)).toBe(false);
    expect(verifyTreeHead(head, generateCheckpointKeyPair().publicKey)).toBe(false);
    expect(verifyTreeHead({ ...head, rootHash: 'nope' }, publicKey)).toBe(false);
  });
});

describe('inclusion proof documents', () => {
  const leaves = log.map((event, leafIndex) => ({ leafIndex, event })).filter(({ event }) => (event.data as { requestId: string }).requestId === 'r1');
  const doc = inclusionProofDocument(tree, leaves, sign, 'r1');
  /** The document after a JSON round trip, as an auditor reads it from a file. */
  const copy = (): InclusionProofDocument => JSON.parse(JSON.stringify(doc)) as InclusionProofDocument;

  it('verify offline, entry by entry', () => {
    const r = verifyProofDocument(copy(), verifyOpts);
    expect(r.problems).toEqual([]);
    expect(r.ok).toBe(true);
    expect(r.checked.filter((l) => l.includes('is in the signed tree'))).toHaveLength(leaves.length);
  });

  it('an altered event breaks the proof that covers it, and only that one', () => {
    const d = copy();
    (d.entries[1]!.event.data as { i: number }).i = 99;
    const r = verifyProofDocument(d, verifyOpts);
    expect(r.ok).toBe(false);
    expect(r.problems).toEqual([expect.stringContaining(`entry 1 (session-s1@4, event e-session-s1-4): the inclusion proof of leaf 4 does not lead to the signed root`)]);
  });

  it('an event claimed at another position (reordered) or a tampered path fails', () => {
    const moved = copy();
    moved.entries[0]!.leafIndex = 2;
    expect(verifyProofDocument(moved, verifyOpts).ok).toBe(false);
    const path = copy();
    path.entries[0]!.path[0] = 'f'.repeat(64);
    expect(verifyProofDocument(path, verifyOpts).ok).toBe(false);
  });

  it('a forged head (new root, old signature) or another key fails', () => {
    const forged = copy();
    forged.treeHead.rootHash = MerkleTree.fromLeafHashes(log.slice(1).map(evidenceLeafHash)).rootHash().toString('hex');
    expect(verifyProofDocument(forged, verifyOpts).problems[0]).toContain('signature does not verify');
    expect(verifyProofDocument(copy(), { publicKeys: [generateCheckpointKeyPair().publicKey] }).ok).toBe(false);
  });

  it('a proof against a dropped event: the rebuilt tree is not the trusted one', () => {
    const dropped = log.filter((_, i) => i !== 0);
    const forgedTree = MerkleTree.fromLeafHashes(dropped.map(evidenceLeafHash));
    const forged = inclusionProofDocument(forgedTree, [{ leafIndex: 0, event: dropped[0] as ChainEntry }], sign);
    // Signed with the real key (an insider), the forged log proves itself, but not against the head kept before.
    expect(verifyProofDocument(forged, verifyOpts).ok).toBe(true);
    const trusted = headsOf(doc);
    const r = verifyProofDocument(consistencyProofDocument(forgedTree, 10, 10, sign), { ...verifyOpts, trustedHeads: [{ ...trusted[0]!, size: 10, rootHash: tree.rootHash(10).toString('hex') }] });
    expect(r.ok).toBe(false);
    expect(r.problems.join('\n')).toContain('the log was rewritten');
  });
});

describe('consistency proof documents', () => {
  it('prove the log only grew; a rewritten history fails against the head kept before', () => {
    const yesterday = signTreeHead({ size: 6, rootHash: tree.rootHash(6) }, sign);
    const doc = JSON.parse(JSON.stringify(consistencyProofDocument(tree, 6, 11, sign))) as unknown;
    const ok = verifyProofDocument(doc, { ...verifyOpts, trustedHeads: [yesterday] });
    expect(ok.problems).toEqual([]);
    expect(ok.checked).toContain('the tree of 6 events is a prefix of the tree of 11: the log only grew');

    const rewritten = [...log];
    rewritten[2] = { ...(log[2] as ChainEntry), data: { requestId: 'r2', i: 'forged' } };
    const forgedTree = MerkleTree.fromLeafHashes(rewritten.map(evidenceLeafHash));
    const forged = consistencyProofDocument(forgedTree, 6, 11, sign);
    const bad = verifyProofDocument(forged, { ...verifyOpts, trustedHeads: [yesterday] });
    expect(bad.ok).toBe(false);
    expect(bad.problems.join('\n')).toContain('differs from the trusted head of size 6');
    // And the forger's proof does not join yesterday's root to today's.
    const spliced = { ...forged, oldHead: yesterday };
    expect(verifyProofDocument(spliced, verifyOpts).problems).toEqual([expect.stringContaining('does not hold')]);
  });

  it('refuses an unknown kind', () => {
    expect(verifyProofDocument({ kind: 'x' }, verifyOpts).ok).toBe(false);
  });
});
