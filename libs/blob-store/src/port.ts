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
 * Evidence is immutable except for one deliberate removal. Nothing here rewrites a blob: it is
 * named by its own bytes, every read verifies them, and adapters never overwrite a stored blob
 * (a second put of the same bytes stores nothing). The only removal is `delete(digest)`, which
 * exists for retention (`chaperone recordings prune` deletes expired blobs and records each
 * deletion as an evidence event; a blob missing later is then explained by the chain, and a
 * blob missing without such an event shows tampering). Any other removal or rewrite is refused by
 * the backing store:
 *   - JetStream (checked: the adapter refuses to run on a bucket that allows more): the bucket's
 *     stream denies message deletes, rollups and ageing out (deny_delete, no rollup headers, no
 *     limits); it ALLOWS purges, because a subject-filtered purge is how `delete` removes a
 *     blob. NATS permissions must therefore grant `$JS.API.STREAM.PURGE.OBJ_<bucket>` to the
 *     pruning identity only, never to writers or readers. A bucket an operator locked with
 *     deny_purge (irreversible) keeps everything forever: `delete` then fails with
 *     BlobDeleteRefused.
 *   - S3 (the bucket policy's job; the adapter cannot see it): writers get no s3:DeleteObject on
 *     `sha256/*` (only on `staging/*`); the pruning identity has it. With Object Lock the bytes
 *     of a deleted blob stay in a noncurrent version until the lock and a lifecycle rule let them
 *     go.
 * Content addressing shares a blob between every body with the same bytes: the caller of `delete`
 * must know that no unexpired reference needs it, and a put of the same bytes racing a delete may
 * return a ref whose blob is gone (its bytes are then absent, never wrong).
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
  /**
   * Deliberately remove a stored blob (retention; see the header comment). Resolves true when the
   * blob was there and is now gone (has/get/getStream report it absent), false when it was absent.
   * A later put of the same bytes stores them again. Works on a corrupt blob too. Rejects with
   * BlobDeleteRefused when the backing store is configured to keep everything.
   */
  delete(digest: BlobDigest): Promise<boolean>;
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

/** The backing store refuses deletion (a JetStream bucket locked with deny_purge, S3 access denied). */
export class BlobDeleteRefused extends Error {
  override readonly name = 'BlobDeleteRefused';
  constructor(
    readonly digest: BlobDigest,
    detail: string,
  ) {
    super(`blob ${digest} cannot be deleted: ${detail}`);
  }
}

/** The backing store answers but cannot hold evidence as configured (a missing bucket, a bucket that allows rewrites). Fix the configuration. */
export class BlobStoreMisconfigured extends Error {
  override readonly name = 'BlobStoreMisconfigured';
}
