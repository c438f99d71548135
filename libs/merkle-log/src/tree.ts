import { EMPTY_TREE_HASH, HASH_SIZE, isHash, leafHash, nodeHash, splitPoint } from './hash';

/** The hashes of one level of the tree, packed in one growing buffer (a million leaves is 32 MB, not a million objects). */
class Level {
  private buf = Buffer.allocUnsafe(HASH_SIZE * 64);
  count = 0;

  push(hash: Uint8Array): void {
    if ((this.count + 1) * HASH_SIZE > this.buf.length) {
      const bigger = Buffer.allocUnsafe(this.buf.length * 2);
      this.buf.copy(bigger, 0, 0, this.count * HASH_SIZE);
      this.buf = bigger;
    }
    this.buf.set(hash, this.count * HASH_SIZE);
    this.count++;
  }

  get(i: number): Buffer {
    return Buffer.from(this.buf.subarray(i * HASH_SIZE, (i + 1) * HASH_SIZE));
  }
}

function isPowerOfTwo(n: number): boolean {
  return n > 0 && Number.isInteger(Math.log2(n));
}

function checkSize(name: string, value: number): void {
  if (!Number.isSafeInteger(value) || value < 0) throw new RangeError(`${name} must be a non-negative integer, got ${value}`);
}

/**
 * An append-only Merkle tree of RFC 9162 §2.1 shape over leaf hashes. It keeps every complete
 * perfect subtree (level h holds the hashes of the aligned runs of 2^h leaves), so the head of any
 * earlier size and every proof are O(log n) lookups and hashes after an O(n) build. Every subtree
 * the RFC's recursion names is either such a perfect one or the right edge of a tree, which is
 * assembled from perfect ones.
 */
export class MerkleTree {
  private readonly levels: Level[] = [new Level()];

  static fromLeafHashes(hashes: Iterable<Uint8Array>): MerkleTree {
    const tree = new MerkleTree();
    for (const h of hashes) tree.appendLeafHash(h);
    return tree;
  }

  /** A tree over raw leaves: each is hashed as SHA-256(0x00 || leaf). */
  static fromLeaves(leaves: Iterable<Uint8Array>): MerkleTree {
    const tree = new MerkleTree();
    for (const leaf of leaves) tree.appendLeafHash(leafHash(leaf));
    return tree;
  }

  get size(): number {
    return (this.levels[0] as Level).count;
  }

  appendLeafHash(hash: Uint8Array): void {
    if (!isHash(hash)) throw new RangeError(`a leaf hash has ${HASH_SIZE} bytes, got ${hash.length}`);
    (this.levels[0] as Level).push(hash);
    // Every completed pair makes a parent one level up, as far as the new leaf closes subtrees.
    let index = this.size - 1;
    for (let h = 0; index % 2 === 1; h++, index = (index - 1) / 2) {
      const level = this.levels[h] as Level;
      const up = this.levels[h + 1] ?? (this.levels[h + 1] = new Level());
      up.push(nodeHash(level.get(index - 1), level.get(index)));
    }
  }

  leafHash(index: number): Buffer {
    this.checkRange(0, index + 1);
    return (this.levels[0] as Level).get(index);
  }

  /** MTH(D[0:size]): the tree head of the first `size` leaves (default all). */
  rootHash(size = this.size): Buffer {
    checkSize('size', size);
    if (size > this.size) throw new RangeError(`tree size ${size} is beyond the ${this.size} leaves held`);
    return size === 0 ? Buffer.from(EMPTY_TREE_HASH) : this.subtreeHash(0, size);
  }

  /** MTH(D[lo:hi]) for 0 <= lo < hi <= size. */
  subtreeHash(lo: number, hi: number): Buffer {
    this.checkRange(lo, hi);
    return this.hashRange(lo, hi);
  }

  /**
   * PATH(m, D[0:size]) of RFC 9162 §2.1.3.1: the sibling hashes from the leaf up to the root, for
   * leaf `index` in the tree of the first `size` leaves.
   */
  inclusionProof(index: number, size = this.size): Buffer[] {
    checkSize('leaf index', index);
    checkSize('size', size);
    if (index >= size) throw new RangeError(`leaf index ${index} is outside a tree of size ${size}`);
    this.checkRange(0, size);
    const path: Buffer[] = [];
    const walk = (m: number, lo: number, hi: number): void => {
      if (hi - lo === 1) return;
      const k = splitPoint(hi - lo);
      if (m < k) {
        walk(m, lo, lo + k);
        path.push(this.hashRange(lo + k, hi));
      } else {
        walk(m - k, lo + k, hi);
        path.push(this.hashRange(lo, lo + k));
      }
    };
    walk(index, 0, size);
    return path;
  }

  /**
   * PROOF(m, D[0:n]) of RFC 9162 §2.1.4.1: the hashes that show the tree of the first m leaves is a
   * prefix of the tree of the first n. Empty when m is 0 or m equals n (nothing to prove).
   */
  consistencyProof(m: number, n = this.size): Buffer[] {
    checkSize('old size', m);
    checkSize('new size', n);
    if (m > n) throw new RangeError(`old size ${m} is larger than new size ${n}`);
    if (n > this.size) throw new RangeError(`tree size ${n} is beyond the ${this.size} leaves held`);
    if (m === 0 || m === n) return [];
    const proof: Buffer[] = [];
    const sub = (mm: number, lo: number, hi: number, complete: boolean): void => {
      if (mm === hi - lo) {
        if (!complete) proof.push(this.hashRange(lo, hi));
        return;
      }
      const k = splitPoint(hi - lo);
      if (mm <= k) {
        sub(mm, lo, lo + k, complete);
        proof.push(this.hashRange(lo + k, hi));
      } else {
        sub(mm - k, lo + k, hi, false);
        proof.push(this.hashRange(lo, lo + k));
      }
    };
    sub(m, 0, n, true);
    return proof;
  }

  private hashRange(lo: number, hi: number): Buffer {
    const n = hi - lo;
    if (isPowerOfTwo(n) && lo % n === 0) {
      const h = Math.log2(n);
      return (this.levels[h] as Level).get(lo / n);
    }
    const k = splitPoint(n);
    return nodeHash(this.hashRange(lo, lo + k), this.hashRange(lo + k, hi));
  }

  private checkRange(lo: number, hi: number): void {
    if (!Number.isSafeInteger(lo) || !Number.isSafeInteger(hi) || lo < 0 || hi <= lo || hi > this.size) {
      throw new RangeError(`leaf range [${lo}, ${hi}) is outside a tree of ${this.size} leaves`);
    }
  }
}

/** MTH of the given leaf hashes (RFC 9162 §2.1.1). */
export function treeHead(leafHashes: readonly Uint8Array[]): Buffer {
  return MerkleTree.fromLeafHashes(leafHashes).rootHash();
}

/** The inclusion proof of leaf `index` in the tree of all the given leaf hashes. */
export function inclusionProof(leafHashes: readonly Uint8Array[], index: number): Buffer[] {
  return MerkleTree.fromLeafHashes(leafHashes).inclusionProof(index);
}

/** The consistency proof from the first `m` leaf hashes to all of them. */
export function consistencyProof(leafHashes: readonly Uint8Array[], m: number): Buffer[] {
  return MerkleTree.fromLeafHashes(leafHashes).consistencyProof(m);
}
