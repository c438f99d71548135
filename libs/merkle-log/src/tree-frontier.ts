import { EMPTY_TREE_HASH, fromHex, nodeHash, toHex } from './hash';

/**
 * The right edge of a Merkle tree (RFC 9162): the roots of its perfect subtrees, largest first, one
 * per set bit of the size. That is all it takes to append leaves and compute the tree head, so a
 * writer that signs tree heads keeps O(log n) hashes instead of the tree, and can store them with
 * each head to resume from there (20 hashes at a million leaves).
 */
export class TreeFrontier {
  private constructor(
    private readonly subtrees: Array<{ size: number; hash: Buffer }>,
    private count: number,
  ) {}

  static empty(): TreeFrontier {
    return new TreeFrontier([], 0);
  }

  /** From `toHex()` of a frontier of `size` leaves; throws RangeError when they do not fit together. */
  static fromHex(size: number, hashes: readonly string[]): TreeFrontier {
    if (!Number.isSafeInteger(size) || size < 0) throw new RangeError(`tree size must be a non-negative integer, got ${size}`);
    const sizes: number[] = [];
    for (let bit = 2 ** Math.floor(Math.log2(Math.max(1, size))); bit >= 1; bit /= 2) if (Math.floor(size / bit) % 2 === 1) sizes.push(bit);
    if (sizes.length !== hashes.length) throw new RangeError(`a frontier of ${size} leaves has ${sizes.length} subtree hashes, got ${hashes.length}`);
    return new TreeFrontier(
      sizes.map((s, i) => ({ size: s, hash: fromHex(hashes[i]) })),
      size,
    );
  }

  get size(): number {
    return this.count;
  }

  appendLeafHash(hash: Uint8Array): void {
    let node: { size: number; hash: Buffer } = { size: 1, hash: Buffer.from(hash) };
    for (let top = this.subtrees[this.subtrees.length - 1]; top !== undefined && top.size === node.size; top = this.subtrees[this.subtrees.length - 1]) {
      this.subtrees.pop();
      node = { size: top.size * 2, hash: nodeHash(top.hash, node.hash) };
    }
    this.subtrees.push(node);
    this.count++;
  }

  /** The tree head: the subtrees folded from the right, as RFC 9162's MTH splits at the largest power of two. */
  rootHash(): Buffer {
    if (this.subtrees.length === 0) return EMPTY_TREE_HASH;
    let root = (this.subtrees[this.subtrees.length - 1] as { hash: Buffer }).hash;
    for (let i = this.subtrees.length - 2; i >= 0; i--) root = nodeHash((this.subtrees[i] as { hash: Buffer }).hash, root);
    return root;
  }

  toHex(): string[] {
    return this.subtrees.map((s) => toHex(s.hash));
  }
}
