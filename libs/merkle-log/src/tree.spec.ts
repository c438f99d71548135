import fc from 'fast-check';
import { EMPTY_TREE_HASH, leafHash, MerkleTree, nodeHash, splitPoint, verifyConsistency, verifyInclusion } from '.';

/** RFC 9162 §2.1 written literally over arrays: the reference the cached tree must agree with. */
function mth(d: readonly Buffer[]): Buffer {
  if (d.length === 0) return EMPTY_TREE_HASH;
  if (d.length === 1) return leafHash(d[0] as Buffer);
  const k = splitPoint(d.length);
  return nodeHash(mth(d.slice(0, k)), mth(d.slice(k)));
}
function path(m: number, d: readonly Buffer[]): Buffer[] {
  if (d.length <= 1) return [];
  const k = splitPoint(d.length);
  return m < k ? [...path(m, d.slice(0, k)), mth(d.slice(k))] : [...path(m - k, d.slice(k)), mth(d.slice(0, k))];
}
function subproof(m: number, d: readonly Buffer[], b: boolean): Buffer[] {
  if (m === d.length) return b ? [] : [mth(d)];
  const k = splitPoint(d.length);
  return m <= k ? [...subproof(m, d.slice(0, k), b), mth(d.slice(k))] : [...subproof(m - k, d.slice(k), false), mth(d.slice(0, k))];
}

const leavesArb = (min: number, max: number) => fc.array(fc.uint8Array({ maxLength: 12 }).map((a) => Buffer.from(a)), { minLength: min, maxLength: max });
/** Leaves that are pairwise distinct, so that swapping or dropping one changes the content. */
const distinctLeaves = (min: number, max: number) => fc.integer({ min, max }).map((n) => Array.from({ length: n }, (_, i) => Buffer.from(`event-${i}`)));

describe('MerkleTree (RFC 9162 §2.1)', () => {
  it('heads, inclusion paths and consistency proofs equal the RFC recursion, for every size', () => {
    fc.assert(
      fc.property(leavesArb(1, 70), fc.nat(), fc.nat(), (leaves, a, b) => {
        const tree = MerkleTree.fromLeaves(leaves);
        const n = leaves.length;
        const size = 1 + (a % n);
        const index = b % size;
        const prefix = leaves.slice(0, size);
        expect(tree.rootHash(size)).toEqual(mth(prefix));
        expect(tree.inclusionProof(index, size)).toEqual(path(index, prefix));
        const m = 1 + (b % size);
        expect(tree.consistencyProof(m, size)).toEqual(m === size ? [] : subproof(m, prefix, true));
      }),
      { numRuns: 300 },
    );
  });

  it('every leaf proves into every tree that holds it, and every prefix into every later tree', () => {
    fc.assert(
      fc.property(leavesArb(1, 40), (leaves) => {
        const tree = MerkleTree.fromLeaves(leaves);
        for (let size = 1; size <= leaves.length; size++) {
          const root = tree.rootHash(size);
          for (let i = 0; i < size; i++) expect(verifyInclusion(tree.leafHash(i), i, size, tree.inclusionProof(i, size), root)).toBe(true);
          for (let m = 0; m <= size; m++) expect(verifyConsistency(m, size, tree.consistencyProof(m, size), tree.rootHash(m), root)).toBe(true);
        }
      }),
      { numRuns: 40 },
    );
  });

  it('altering, dropping or reordering a leaf breaks the inclusion proof of that leaf against the honest head', () => {
    fc.assert(
      fc.property(distinctLeaves(2, 60), fc.nat(), fc.constantFrom('alter', 'drop', 'swap'), (leaves, a, how) => {
        const honest = MerkleTree.fromLeaves(leaves);
        const root = honest.rootHash();
        const i = a % leaves.length;
        const j = i === leaves.length - 1 ? i - 1 : i + 1;
        const forged: Buffer[] = [...leaves];
        if (how === 'alter') forged[i] = Buffer.concat([leaves[i] as Buffer, Buffer.from('!')]);
        if (how === 'drop') forged.splice(i, 1);
        if (how === 'swap') [forged[i], forged[j]] = [forged[j] as Buffer, forged[i] as Buffer];
        const tree = MerkleTree.fromLeaves(forged);
        expect(tree.rootHash().equals(root)).toBe(false);
        // The forger's proofs for what now sits at i do not verify against the head signed before.
        const k = Math.min(i, forged.length - 1);
        expect(verifyInclusion(tree.leafHash(k), k, forged.length, tree.inclusionProof(k), root)).toBe(false);
        // Nor does the honest proof, given the altered leaf.
        if (how !== 'drop') expect(verifyInclusion(leafHash(forged[i] as Buffer), i, leaves.length, honest.inclusionProof(i), root)).toBe(false);
      }),
      { numRuns: 200 },
    );
  });

  it('a consistency proof fails across a rewritten history', () => {
    fc.assert(
      fc.property(distinctLeaves(2, 60), fc.nat(), fc.nat(), (leaves, a, b) => {
        const m = 1 + (a % (leaves.length - 1)); // an old size strictly inside the log
        const oldRoot = MerkleTree.fromLeaves(leaves.slice(0, m)).rootHash();
        // Rewrite one event the old head covered, then keep appending.
        const rewritten: Buffer[] = [...leaves];
        const at = b % m;
        rewritten[at] = Buffer.from(`forged-${at}`);
        const tree = MerkleTree.fromLeaves(rewritten);
        expect(verifyConsistency(m, leaves.length, tree.consistencyProof(m), oldRoot, tree.rootHash())).toBe(false);
      }),
      { numRuns: 200 },
    );
  });

  it('malformed proofs are refused, not thrown on', () => {
    const tree = MerkleTree.fromLeaves(['a', 'b', 'c', 'd', 'e'].map((s) => Buffer.from(s)));
    const root = tree.rootHash();
    const proof = tree.inclusionProof(2);
    expect(verifyInclusion(tree.leafHash(2), 2, 5, [...proof, root], root)).toBe(false);
    expect(verifyInclusion(tree.leafHash(2), 2, 5, proof.slice(1), root)).toBe(false);
    expect(verifyInclusion(tree.leafHash(2), 2, 5, [Buffer.alloc(3), ...proof.slice(1)], root)).toBe(false);
    expect(verifyInclusion(tree.leafHash(2), 5, 5, proof, root)).toBe(false);
    expect(verifyInclusion(tree.leafHash(2), -1, 5, proof, root)).toBe(false);
    expect(verifyConsistency(3, 2, tree.consistencyProof(2, 3), root, root)).toBe(false);
    expect(verifyConsistency(0, 5, [], tree.rootHash(1), root)).toBe(false);
    expect(verifyConsistency(0, 5, [], EMPTY_TREE_HASH, root)).toBe(true);
  });

  it('a tree built leaf by leaf has the same heads as one built at once', () => {
    const leaves = Array.from({ length: 1025 }, (_, i) => leafHash(Buffer.from(String(i))));
    const growing = new MerkleTree();
    const heads: Buffer[] = [];
    for (const h of leaves) {
      growing.appendLeafHash(h);
      heads.push(growing.rootHash());
    }
    const whole = MerkleTree.fromLeafHashes(leaves);
    for (const size of [1, 2, 3, 7, 8, 9, 511, 512, 513, 1024, 1025]) expect(whole.rootHash(size)).toEqual(heads[size - 1]);
  });
});
