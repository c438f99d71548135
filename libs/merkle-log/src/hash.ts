import { createHash } from 'node:crypto';

/**
 * The hashing of RFC 6962 / RFC 9162 §2.1 with SHA-256. The one-byte prefixes keep a leaf from
 * ever hashing like an interior node (a second preimage across levels).
 */
export const HASH_SIZE = 32;
const LEAF_PREFIX = Buffer.from([0x00]);
const NODE_PREFIX = Buffer.from([0x01]);

/** MTH({}) = SHA-256() : the head of the empty tree. */
export const EMPTY_TREE_HASH: Buffer = createHash('sha256').digest();

/** MTH({d}) = SHA-256(0x00 || d). */
export function leafHash(leaf: Uint8Array): Buffer {
  return createHash('sha256').update(LEAF_PREFIX).update(leaf).digest();
}

/** SHA-256(0x01 || left || right). */
export function nodeHash(left: Uint8Array, right: Uint8Array): Buffer {
  return createHash('sha256').update(NODE_PREFIX).update(left).update(right).digest();
}

/** The largest power of two strictly smaller than n (n >= 2): where RFC 9162 splits D_n. */
export function splitPoint(n: number): number {
  if (!Number.isSafeInteger(n) || n < 2) throw new RangeError(`splitPoint needs n >= 2, got ${n}`);
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}

export function isHash(value: Uint8Array): boolean {
  return value.length === HASH_SIZE;
}

export function toHex(hash: Uint8Array): string {
  return Buffer.from(hash).toString('hex');
}

const HEX = /^[0-9a-f]{64}$/;

/** Parses 64 lowercase hex digits; throws on anything else (a proof file is untrusted input). */
export function fromHex(hex: unknown): Buffer {
  if (typeof hex !== 'string' || !HEX.test(hex)) throw new TypeError(`expected a SHA-256 hash as 64 lowercase hex digits, got ${JSON.stringify(String(hex).slice(0, 80))}`);
  return Buffer.from(hex, 'hex');
}
