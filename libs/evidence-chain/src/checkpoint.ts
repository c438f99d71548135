import {
  createHash,
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  KeyObject,
  sign,
  verify,
} from 'node:crypto';
import { canonicalJson } from './canonical-json';

/** A stream's chain head: the revision and link of its last event at checkpoint time. */
export interface ChainHead {
  revision: number;
  hash: string;
}

/**
 * A signed statement that, at `at`, each listed stream's chain ended at the given head. The
 * signature (Ed25519, base64) covers canonicalJson({ at, heads, keyId }).
 */
export interface Checkpoint {
  at: string;
  heads: Record<string, ChainHead>;
  keyId: string;
  signature: string;
}

export type KeyInput = KeyObject | string;

export interface SignCheckpointOptions {
  /** Ed25519 private key: a KeyObject or a PEM (PKCS#8). */
  privateKey: KeyInput;
  keyId: string;
  /** Clock; default the system clock. */
  now?: () => Date;
}

/** Raised for unusable key material; its message never contains the key. */
export class CheckpointKeyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CheckpointKeyError';
  }
}

function describeFailure(err: unknown): string {
  // Node's key-parsing errors carry an OpenSSL code, never key bytes; keep only the code.
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? ` (${code})` : '';
}

function requireEd25519(key: KeyObject, kind: 'private' | 'public'): KeyObject {
  if (key.type !== kind) {
    throw new CheckpointKeyError(`expected an Ed25519 ${kind} key, got a ${key.type} key`);
  }
  if (key.asymmetricKeyType !== 'ed25519') {
    throw new CheckpointKeyError(
      `expected an Ed25519 ${kind} key, got ${key.asymmetricKeyType ?? 'an unknown key type'}`,
    );
  }
  return key;
}

/** Parses an Ed25519 private key from PEM (PKCS#8). */
export function loadPrivateKey(pem: string): KeyObject {
  if (typeof pem !== 'string' || !pem.includes('-----BEGIN')) {
    throw new CheckpointKeyError('checkpoint private key is not a PEM document');
  }
  let key: KeyObject;
  try {
    key = createPrivateKey({ key: pem, format: 'pem' });
  } catch (err) {
    throw new CheckpointKeyError(`could not parse the checkpoint private key PEM${describeFailure(err)}`);
  }
  return requireEd25519(key, 'private');
}

/** Parses an Ed25519 public key from PEM (SPKI); a private key PEM yields its public half. */
export function loadPublicKey(pem: string): KeyObject {
  if (typeof pem !== 'string' || !pem.includes('-----BEGIN')) {
    throw new CheckpointKeyError('checkpoint public key is not a PEM document');
  }
  let key: KeyObject;
  try {
    key = createPublicKey({ key: pem, format: 'pem' });
  } catch (err) {
    throw new CheckpointKeyError(`could not parse the checkpoint public key PEM${describeFailure(err)}`);
  }
  return requireEd25519(key, 'public');
}

function asPrivateKey(key: KeyInput): KeyObject {
  return typeof key === 'string' ? loadPrivateKey(key) : requireEd25519(key, 'private');
}

function asPublicKey(key: KeyInput): KeyObject {
  return typeof key === 'string' ? loadPublicKey(key) : requireEd25519(key, 'public');
}

/** A fresh Ed25519 key pair (tests, key rotation tooling). */
export function generateCheckpointKeyPair(): { privateKey: KeyObject; publicKey: KeyObject } {
  return generateKeyPairSync('ed25519');
}

/** A stable identifier for a public key: 'ed25519:' + the first 16 hex digits of SHA-256(SPKI DER). */
export function keyIdOf(publicKey: KeyInput): string {
  const der = asPublicKey(publicKey).export({ format: 'der', type: 'spki' });
  return `ed25519:${createHash('sha256').update(der).digest('hex').slice(0, 16)}`;
}

/** The bytes a checkpoint's signature covers. */
export function checkpointPayload(cp: Omit<Checkpoint, 'signature'>): Buffer {
  return Buffer.from(canonicalJson({ at: cp.at, heads: cp.heads, keyId: cp.keyId }), 'utf8');
}

export function signCheckpoint(heads: Record<string, ChainHead>, opts: SignCheckpointOptions): Checkpoint {
  const key = asPrivateKey(opts.privateKey);
  const at = (opts.now ?? (() => new Date()))().toISOString();
  const copy: Record<string, ChainHead> = {};
  for (const [stream, head] of Object.entries(heads)) {
    copy[stream] = { revision: head.revision, hash: head.hash };
  }
  const unsigned = { at, heads: copy, keyId: opts.keyId };
  const signature = sign(null, checkpointPayload(unsigned), key).toString('base64');
  return { ...unsigned, signature };
}

/**
 * True when the signature is a valid Ed25519 signature by `publicKey` over the checkpoint's
 * content. A malformed checkpoint is reported as false; unusable key material throws.
 */
export function verifyCheckpoint(cp: Checkpoint, publicKey: KeyInput): boolean {
  const key = asPublicKey(publicKey);
  if (
    cp === null ||
    typeof cp !== 'object' ||
    typeof cp.signature !== 'string' ||
    !/^[A-Za-z0-9+/]*={0,2}$/.test(cp.signature)
  ) {
    return false;
  }
  const signature = Buffer.from(cp.signature, 'base64');
  if (signature.length !== 64 || signature.toString('base64') !== cp.signature) {
    return false;
  }
  let payload: Buffer;
  try {
    payload = checkpointPayload(cp);
  } catch {
    return false;
  }
  return verify(null, payload, key, signature);
}
