import { createPublicKey, sign, verify, type KeyObject } from 'node:crypto';
import { canonicalJson, keyIdOf, loadPrivateKey, loadPublicKey, type KeyInput } from '@chaperone/evidence-chain';
import { fromHex, isHash, toHex } from './hash';

/** What a tree head signature is over; the tag keeps it from ever reading as a chain checkpoint's. */
export const TREE_HEAD_KIND = 'chaperone.tree-head/v1';

/**
 * A signed statement that the evidence log held `size` events whose Merkle tree head (RFC 9162,
 * SHA-256) was `rootHash` at `timestamp`. Ed25519, with the key that signs the chain checkpoints;
 * the signature (base64) covers canonicalJson({ keyId, kind, rootHash, size, timestamp }).
 */
export interface SignedTreeHead {
  size: number;
  /** 64 lowercase hex digits. */
  rootHash: string;
  /** RFC 3339. */
  timestamp: string;
  keyId: string;
  signature: string;
}

export interface SignTreeHeadOptions {
  /** Ed25519 private key: a KeyObject or a PEM (PKCS#8). */
  privateKey: KeyInput;
  /** Default: keyIdOf the key's public half (as the audit service names its checkpoint key). */
  keyId?: string;
  now?: () => Date;
}

export function treeHeadPayload(head: Omit<SignedTreeHead, 'signature'>): Buffer {
  return Buffer.from(
    canonicalJson({ keyId: head.keyId, kind: TREE_HEAD_KIND, rootHash: head.rootHash, size: head.size, timestamp: head.timestamp }),
    'utf8',
  );
}

export function signTreeHead(head: { size: number; rootHash: Uint8Array }, opts: SignTreeHeadOptions): SignedTreeHead {
  if (!Number.isSafeInteger(head.size) || head.size < 0) throw new RangeError(`tree size must be a non-negative integer, got ${head.size}`);
  if (!isHash(head.rootHash)) throw new RangeError('a tree head is a 32-byte SHA-256 hash');
  const key: KeyObject = typeof opts.privateKey === 'string' ? loadPrivateKey(opts.privateKey) : opts.privateKey;
  const unsigned = {
    size: head.size,
    rootHash: toHex(head.rootHash),
    timestamp: (opts.now ?? (() => new Date()))().toISOString(),
    keyId: opts.keyId ?? keyIdOf(createPublicKey(key)),
  };
  return { ...unsigned, signature: sign(null, treeHeadPayload(unsigned), key).toString('base64') };
}

/**
 * True when `head` is well formed and its signature is a valid Ed25519 signature by `publicKey`.
 * A malformed head is false; unusable key material throws.
 */
export function verifyTreeHead(head: unknown, publicKey: KeyInput): boolean {
  const key = typeof publicKey === 'string' ? loadPublicKey(publicKey) : publicKey;
  if (!isSignedTreeHead(head)) return false;
  const signature = Buffer.from(head.signature, 'base64');
  if (signature.length !== 64 || signature.toString('base64') !== head.signature) return false;
  return verify(null, treeHeadPayload(head), key, signature);
}

/** Shape check of untrusted input. */
export function isSignedTreeHead(value: unknown): value is SignedTreeHead {
  if (value === null || typeof value !== 'object') return false;
  const h = value as Record<string, unknown>;
  if (!Number.isSafeInteger(h['size']) || (h['size'] as number) < 0) return false;
  if (typeof h['timestamp'] !== 'string' || typeof h['keyId'] !== 'string' || typeof h['signature'] !== 'string') return false;
  try {
    fromHex(h['rootHash']);
  } catch {
    return false;
  }
  return true;
}
