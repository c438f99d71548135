import { createHash, type Hash } from 'node:crypto';
import { InvalidArgument, type BlobDigest, type BlobRef } from './port';

const DIGEST = /^sha256:[0-9a-f]{64}$/;
const EMPTY = new Uint8Array(0);

export function isBlobDigest(value: unknown): value is BlobDigest {
  return typeof value === 'string' && DIGEST.test(value);
}

/** Throws InvalidArgument unless `value` is `sha256:` + 64 lowercase hex digits. */
export function validateBlobDigest(value: unknown): asserts value is BlobDigest {
  if (!isBlobDigest(value)) {
    const shown = typeof value === 'string' ? JSON.stringify(value.slice(0, 80)) : typeof value;
    throw new InvalidArgument(`invalid blob digest ${shown}: expected sha256:<64 lowercase hex digits>`);
  }
}

export function validateCap(capBytes: unknown): asserts capBytes is number {
  if (typeof capBytes !== 'number' || !(Number.isSafeInteger(capBytes) || capBytes === Number.POSITIVE_INFINITY) || capBytes < 0) {
    throw new InvalidArgument(`invalid capBytes ${String(capBytes)}: expected a non-negative integer`);
  }
}

/** The content address of some bytes. */
export function sha256Digest(bytes: Uint8Array): BlobDigest {
  return `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
}

/**
 * Computes the BlobRef of a body from the chunks passed through it, without storing anything
 * (the proxy hot path when only digests are recorded; BlobStore.put uses it too, so a recorded
 * ref and a stored ref of the same body and cap are equal).
 *
 * The digest ALWAYS covers the whole body; when the body exceeds `capBytes`, `storedDigest`
 * covers the kept prefix (see port.ts). Only one sha256 runs over each byte: at the cap boundary
 * the running hash is copied to finish the prefix digest.
 */
export class BodyHasher {
  private readonly whole: Hash = createHash('sha256');
  private prefixDigest: BlobDigest | undefined;
  private size = 0;

  /** `capBytes`: how many bytes a store would keep; default unlimited. */
  constructor(readonly capBytes: number = Number.POSITIVE_INFINITY) {
    validateCap(capBytes);
  }

  /**
   * Add the next chunk. Returns the part of it that falls within the cap (a view of `chunk`, not a
   * copy; empty once the cap is reached), i.e. the bytes a store keeps.
   */
  update(chunk: Uint8Array): Uint8Array {
    if (!(chunk instanceof Uint8Array)) throw new InvalidArgument(`body chunks must be Uint8Array, got ${typeof chunk}`);
    const room = this.prefixDigest === undefined ? this.capBytes - this.size : 0;
    let kept = chunk;
    if (room < chunk.length) {
      kept = room > 0 ? chunk.subarray(0, room) : EMPTY;
      if (this.prefixDigest === undefined) {
        if (kept.length > 0) this.whole.update(kept);
        this.prefixDigest = `sha256:${this.whole.copy().digest('hex')}`;
        this.whole.update(room > 0 ? chunk.subarray(room) : chunk);
      } else {
        this.whole.update(chunk);
      }
    } else {
      this.whole.update(chunk);
    }
    this.size += chunk.length;
    return kept;
  }

  /** Bytes seen so far. */
  get bytesSeen(): number {
    return this.size;
  }

  /** The ref of the bytes seen so far; can be called any number of times (a snapshot). */
  result(): BlobRef {
    const digest: BlobDigest = `sha256:${this.whole.copy().digest('hex')}`;
    // The prefix digest is fixed when a byte beyond the cap arrives; a body of exactly capBytes
    // bytes is not truncated.
    const truncated = this.size > this.capBytes;
    return {
      digest,
      size: this.size,
      truncated,
      storedDigest: truncated ? (this.prefixDigest as BlobDigest) : digest,
      storedSize: truncated ? this.capBytes : this.size,
    };
  }
}

/** The BlobRef of a complete body (convenience over BodyHasher). */
export function blobRefOf(body: Uint8Array, capBytes?: number): BlobRef {
  const tap = new BodyHasher(capBytes);
  tap.update(body);
  return tap.result();
}
