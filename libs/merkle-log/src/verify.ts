import { timingSafeEqual } from 'node:crypto';
import { EMPTY_TREE_HASH, isHash, nodeHash } from './hash';

/**
 * Proof verification exactly as RFC 9162 §2.1.3.2 (inclusion) and §2.1.4.2 (consistency) give
 * it: from the leaf (or the old tree's edge) up, the proof's hashes are combined on the side the
 * index bits say, and the result must be the signed head. Sizes go to 2^53, so bits are read with
 * arithmetic, not 32-bit shifts. Every check answers false for a bad proof; nothing here throws on
 * untrusted input.
 */

const lsb = (x: number): boolean => x % 2 === 1;
const half = (x: number): number => Math.floor(x / 2);

function sameHash(a: Uint8Array, b: Uint8Array): boolean {
  return isHash(a) && isHash(b) && timingSafeEqual(a, b);
}

function validSize(n: number): boolean {
  return Number.isSafeInteger(n) && n >= 0;
}

/**
 * The root an inclusion proof yields for `leafHash` at `index` of a tree of `size` leaves, or
 * undefined when the proof has the wrong shape for that position.
 */
export function rootFromInclusionProof(leafHash: Uint8Array, index: number, size: number, path: readonly Uint8Array[]): Buffer | undefined {
  if (!validSize(index) || !validSize(size) || index >= size || !isHash(leafHash) || !path.every(isHash)) return undefined;
  let fn = index;
  let sn = size - 1;
  let r: Buffer = Buffer.from(leafHash);
  for (const p of path) {
    if (sn === 0) return undefined;
    if (lsb(fn) || fn === sn) {
      r = nodeHash(p, r);
      if (!lsb(fn)) {
        while (!lsb(fn) && fn !== 0) {
          fn = half(fn);
          sn = half(sn);
        }
      }
    } else {
      r = nodeHash(r, p);
    }
    fn = half(fn);
    sn = half(sn);
  }
  return sn === 0 ? r : undefined;
}

/** True when `path` proves that `leafHash` is leaf `index` of the tree of `size` leaves whose head is `root`. */
export function verifyInclusion(leafHash: Uint8Array, index: number, size: number, path: readonly Uint8Array[], root: Uint8Array): boolean {
  const computed = rootFromInclusionProof(leafHash, index, size, path);
  return computed !== undefined && sameHash(computed, root);
}

/**
 * True when `proof` shows that the tree of `oldSize` leaves with head `oldRoot` is a prefix of the
 * tree of `newSize` leaves with head `newRoot`: the log was only appended to in between.
 */
export function verifyConsistency(oldSize: number, newSize: number, proof: readonly Uint8Array[], oldRoot: Uint8Array, newRoot: Uint8Array): boolean {
  if (!validSize(oldSize) || !validSize(newSize) || oldSize > newSize || !proof.every(isHash) || !isHash(oldRoot) || !isHash(newRoot)) return false;
  if (oldSize === newSize) return proof.length === 0 && sameHash(oldRoot, newRoot);
  // The empty tree is a prefix of every tree; its head is fixed.
  if (oldSize === 0) return proof.length === 0 && sameHash(oldRoot, EMPTY_TREE_HASH);
  if (proof.length === 0) return false;
  // An old tree that is a perfect subtree is not in the proof: the verifier supplies it.
  const path = Number.isInteger(Math.log2(oldSize)) ? [oldRoot, ...proof] : [...proof];
  let fn = oldSize - 1;
  let sn = newSize - 1;
  while (lsb(fn)) {
    fn = half(fn);
    sn = half(sn);
  }
  let fr: Buffer = Buffer.from(path[0] as Uint8Array);
  let sr: Buffer = Buffer.from(path[0] as Uint8Array);
  for (const c of path.slice(1)) {
    if (sn === 0) return false;
    if (lsb(fn) || fn === sn) {
      fr = nodeHash(c, fr);
      sr = nodeHash(c, sr);
      if (!lsb(fn)) {
        while (!lsb(fn) && fn !== 0) {
          fn = half(fn);
          sn = half(sn);
        }
      }
    } else {
      sr = nodeHash(sr, c);
    }
    fn = half(fn);
    sn = half(sn);
  }
  return sn === 0 && sameHash(fr, oldRoot) && sameHash(sr, newRoot);
}
