/**
 * The blob-store port: content-addressed storage for evidence bodies (Kubernetes request bodies
 * and already-masked response bodies). Events stay small and reference bodies through a BlobRef.
 *
 * Digest rule — what an auditor needs:
 *   - `digest` / `size` ALWAYS describe the WHOLE body as it passed through the gateway (the exact
 *     bytes the cluster received, or the exact masked bytes returned). They identify the body,
 *     whether or not all of it was kept.
 *   - `storedDigest` / `storedSize` describe the bytes actually kept: the whole body, or its first
 *     `capBytes` bytes when the body exceeded the cap (`truncated: true`).
 *   - Blobs are addressed by the digest of their own bytes, so every stored blob verifies against
 *     its name. Not truncated: `storedDigest === digest` and `get(ref.digest)` returns the body.
 *     Truncated: the stored blob is the prefix, addressed by `storedDigest`; `get(ref.digest)`
 *     finds nothing (unless the whole body was stored by another put) — this is deliberate: the
 *     whole-body digest must never name bytes that are not that body.
 *   An auditor holding a candidate body checks `sha256(candidate) === digest` and
 *   `sha256(candidate[0..storedSize)) === storedDigest`; holding only the ref, she can still prove
 *   the stored prefix is untampered.
 *
 * Evidence is immutable: no operation here deletes or rewrites a blob, and adapters refuse to run
 * on a backing store configured to allow it.
 */

/** `sha256:` followed by 64 lowercase hex digits. */
export type BlobDigest = string;

export interface BlobRef {
  /** sha256 of the WHOLE body ("sha256:<hex>"), also when truncated. */
  digest: BlobDigest;
  /** Byte length of the WHOLE body. */
  size: number;
  /** True when the body exceeded the cap and only its first `storedSize` bytes were kept. */
  truncated: boolean;
  /** Content address of the kept bytes: `digest` when not truncated, sha256 of the prefix otherwise. */
  storedDigest: BlobDigest;
  /** Number of bytes kept: `size` when not truncated, the cap otherwise. */
  storedSize: number;
}

export interface PutOptions {
  /** Keep at most this many bytes (non-negative integer). The whole body is still digested. */
  capBytes: number;
  /**
   * Advisory media type, recorded with the blob when it is first stored. Content addressing means
   * a later put of the same bytes with another content type stores nothing and changes nothing.
   */
  contentType?: string;
}

export interface BlobStore {
  /**
   * Stream a body in, computing sha256 as it goes, keeping at most `capBytes` bytes. The source is
   * always consumed to its end (the whole-body digest needs every byte). Idempotent: the same
   * content with the same cap yields the same ref and is stored once. A Uint8Array body must not
   * be modified until the promise settles.
   */
  put(body: AsyncIterable<Uint8Array> | Uint8Array, opts: PutOptions): Promise<BlobRef>;
  /** The whole stored blob named by its content address (a ref's `storedDigest`); undefined when absent. */
  get(digest: BlobDigest): Promise<Uint8Array | undefined>;
  /**
   * The stored blob as a stream of chunks; undefined when absent. The stream verifies the bytes
   * against the digest and throws BlobCorrupt at its end (after the last chunk) on a mismatch.
   */
  getStream(digest: BlobDigest): Promise<AsyncIterable<Uint8Array> | undefined>;
  has(digest: BlobDigest): Promise<boolean>;
  /** Stops using the store; a connection passed in by the caller stays open. */
  close(): Promise<void>;
}

/** The backing store could not be reached or did not answer in time. Retry later. */
export class BlobStoreUnavailable extends Error {
  override readonly name = 'BlobStoreUnavailable';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/** Rejected input (digest string, cap, body chunk type). */
export class InvalidArgument extends Error {
  override readonly name = 'InvalidArgument';
}

/** Stored data does not match its content address or its metadata (tampering or corruption). */
export class BlobCorrupt extends Error {
  override readonly name = 'BlobCorrupt';
  constructor(
    readonly digest: BlobDigest,
    detail: string,
  ) {
    super(`blob ${digest} is corrupt: ${detail}`);
  }
}
