import { createHash } from 'node:crypto';
import { setTimeout as delay } from 'node:timers/promises';
import {
  CopyObjectCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  HeadBucketCommand,
  HeadObjectCommand,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { validateBlobDigest } from '../body-digest';
import {
  BlobCorrupt,
  BlobDeleteRefused,
  BlobStoreMisconfigured,
  BlobStoreUnavailable,
  type BlobDigest,
  type BlobRef,
  type BlobStore,
  type PutOptions,
} from '../port';
import { collectBytes } from '../collect-bytes';
import { readPutBody } from '../read-put-body';
import { describeS3Error, isMissingKey, mapS3Error, s3ErrorName, s3Status } from './errors';
import { BLOB_PREFIX, blobKey, s3ChecksumSha256 } from './object-keys';
import { DEFAULT_S3_MAX_BUFFER_BYTES, DEFAULT_S3_PART_BYTES, validateS3Options, type S3BlobStoreOptions } from './s3-options';
import { StagedUpload } from './staged-upload';

/**
 * Blob store on an S3 bucket (AWS or S3-compatible), content-addressed like the JetStream adapter.
 *
 * A blob is the object `sha256/<hex>` of its content address: its bytes, as put, with the advisory
 * Content-Type of the first put. Reads hash what S3 returns and throw BlobCorrupt when it does not
 * match the name, so a rewritten, truncated or swapped object is never returned as evidence.
 *
 * No overwrite: a put first asks whether the address is taken (HEAD) and writes only when it is
 * not, with `If-None-Match: *` so that S3 (and compatibles that honour conditional writes) refuse
 * a second writer that raced past the HEAD; the loser's answer is the same ref. A server that
 * ignores the condition (s3rver) lets the racer rewrite the same bytes, which changes nothing a
 * reader can see except, possibly, the advisory content type.
 *
 * A streamed body larger than maxBufferBytes is uploaded while it streams (multipart, bounded
 * memory) to `staging/<uuid>`, because its address is known only at the end; then it is copied
 * server-side to its address (the same no-overwrite rule) and the staging object deleted. A
 * failure aborts the upload; what a crash leaves in `staging/` is for a lifecycle rule to expire.
 *
 * The client is the store's own: close() destroys it. Errors never carry the credentials: they are
 * rebuilt from the S3 error code, status and message only.
 */
export class S3BlobStore implements BlobStore {
  private closed = false;
  private readonly maxBufferBytes: number;
  private readonly partBytes: number;

  private readonly options: Omit<S3BlobStoreOptions, 'credentials'>;

  private constructor(
    private readonly client: S3Client,
    options: S3BlobStoreOptions,
  ) {
    // The credentials live in the client only: a store printed or inspected shows none.
    const { credentials: _credentials, ...rest } = options;
    this.options = rest;
    this.maxBufferBytes = options.maxBufferBytes ?? DEFAULT_S3_MAX_BUFFER_BYTES;
    this.partBytes = options.partBytes ?? DEFAULT_S3_PART_BYTES;
  }

  static async create(options: S3BlobStoreOptions): Promise<S3BlobStore> {
    validateS3Options(options);
    const timeoutMs = options.timeoutMs ?? 5000;
    const client = new S3Client({
      region: options.region,
      ...(options.endpoint !== undefined ? { endpoint: options.endpoint } : {}),
      forcePathStyle: options.forcePathStyle ?? false,
      ...(options.credentials ? { credentials: options.credentials } : {}),
      maxAttempts: options.maxAttempts ?? 3,
      // Idle-based: a slow but moving multi-MiB upload is fine, a silent server is not.
      requestHandler: { connectionTimeout: timeoutMs, socketTimeout: timeoutMs },
      // The adapter verifies sha256 itself; the SDK's default CRC trailers (aws-chunked
      // uploads) are not understood by every S3-compatible server.
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
    });
    const store = new S3BlobStore(client, options);
    if (options.verifyBucket ?? true) {
      try {
        await store.verifyBucket();
      } catch (err) {
        client.destroy();
        throw err;
      }
    }
    return store;
  }

  get bucket(): string {
    return this.options.bucket;
  }

  async put(body: AsyncIterable<Uint8Array> | Uint8Array, opts: PutOptions): Promise<BlobRef> {
    this.assertOpen();
    const { ref, pending, upload } = await readPutBody(body, opts, {
      maxBufferBytes: this.maxBufferBytes,
      newUpload: () => new StagedUpload(this.client, this.options.bucket, this.partBytes, opts.contentType),
      failed: async (err, begun) => {
        await begun?.discard();
        throw err;
      },
    });
    if (upload) return this.storeStaged(ref, upload);
    return this.storeBuffered(ref, pending.length === 1 ? (pending[0] as Uint8Array) : Buffer.concat(pending), opts.contentType);
  }

  async get(digest: BlobDigest): Promise<Uint8Array | undefined> {
    const stream = await this.getStream(digest);
    return stream && collectBytes(stream);
  }

  /** The reader must keep reading: a stream left idle longer than timeoutMs fails (BlobStoreUnavailable). */
  async getStream(digest: BlobDigest): Promise<AsyncIterable<Uint8Array> | undefined> {
    this.assertOpen();
    validateBlobDigest(digest);
    let body: unknown;
    try {
      body = (await this.client.send(new GetObjectCommand({ Bucket: this.options.bucket, Key: blobKey(digest) }))).Body;
    } catch (err) {
      if (isMissingKey(err)) return undefined;
      mapS3Error(err, `get ${digest}`, this.options.bucket);
    }
    if (!body || typeof (body as AsyncIterable<Uint8Array>)[Symbol.asyncIterator] !== 'function') {
      throw new Error(`S3 get ${digest}: the response has no readable body`);
    }
    return this.verified(digest, body as AsyncIterable<Uint8Array> & { destroy?: () => void });
  }

  async has(digest: BlobDigest): Promise<boolean> {
    this.assertOpen();
    validateBlobDigest(digest);
    if (await this.exists(blobKey(digest), `has ${digest}`)) return true;
    await this.assertBucket(`has ${digest}`);
    return false;
  }

  async delete(digest: BlobDigest): Promise<boolean> {
    this.assertOpen();
    validateBlobDigest(digest);
    const key = blobKey(digest);
    // DeleteObject answers 204 whether or not the key was there: ask first, to report which.
    if (!(await this.exists(key, `delete ${digest}`))) {
      await this.assertBucket(`delete ${digest}`);
      return false;
    }
    try {
      await this.client.send(new DeleteObjectCommand({ Bucket: this.options.bucket, Key: key }));
    } catch (err) {
      if (s3Status(err) === 403) {
        throw new BlobDeleteRefused(digest, `S3 refused the delete (${describeS3Error(err)}): the pruning identity needs s3:DeleteObject on ${BLOB_PREFIX}*`);
      }
      mapS3Error(err, `delete ${digest}`, this.options.bucket);
    }
    return true;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.client.destroy();
  }

  private assertOpen(): void {
    if (this.closed) throw new BlobStoreUnavailable('blob store is closed');
  }

  private where(): string {
    return this.options.endpoint !== undefined ? ` at ${this.options.endpoint}` : ` in ${this.options.region}`;
  }

  private async verifyBucket(): Promise<void> {
    const { bucket } = this.options;
    try {
      await this.client.send(new HeadBucketCommand({ Bucket: bucket }));
    } catch (err) {
      const status = s3Status(err);
      if (status === 404 || s3ErrorName(err) === 'NoSuchBucket') {
        throw new BlobStoreMisconfigured(`S3 bucket ${bucket} does not exist${this.where()}: create it first (docs/blob-store.md)`);
      }
      if (status === 403 || status === 400 || status === 301) {
        throw new BlobStoreMisconfigured(
          `S3 bucket ${bucket}${this.where()} refused access (${describeS3Error(err)}): check the credentials (AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY or the role), the bucket policy and the region`,
        );
      }
      mapS3Error(err, 'open (HeadBucket)', bucket);
    }
  }

  /** HEAD of a key; a 404 cannot tell a missing key from a missing bucket (see assertBucket). */
  private async exists(key: string, what: string): Promise<boolean> {
    try {
      await this.client.send(new HeadObjectCommand({ Bucket: this.options.bucket, Key: key }));
      return true;
    } catch (err) {
      if (isMissingKey(err)) return false;
      mapS3Error(err, what, this.options.bucket);
    }
  }

  /** After a HEAD 404: a destroyed bucket reads as unavailable, never as "the blob is absent". */
  private async assertBucket(what: string): Promise<void> {
    try {
      await this.client.send(new HeadBucketCommand({ Bucket: this.options.bucket }));
    } catch (err) {
      if (s3Status(err) === 404) throw new BlobStoreUnavailable(`S3 bucket ${this.options.bucket} does not exist (during ${what})`);
      mapS3Error(err, what, this.options.bucket);
    }
  }

  private async storeBuffered(ref: BlobRef, bytes: Uint8Array, contentType: string | undefined): Promise<BlobRef> {
    if (bytes.length !== ref.storedSize) throw new Error(`internal: buffered ${bytes.length} bytes, expected ${ref.storedSize}`);
    const key = blobKey(ref.storedDigest);
    if (await this.exists(key, `put ${ref.storedDigest}`)) return ref;
    await this.writeOnce(`put ${ref.storedDigest}`, () =>
      this.client.send(
        new PutObjectCommand({
          Bucket: this.options.bucket,
          Key: key,
          Body: bytes,
          ContentLength: bytes.length,
          // S3 checks the bytes it receives against this (the content address) before storing them.
          ChecksumSHA256: s3ChecksumSha256(ref.storedDigest),
          IfNoneMatch: '*',
          ...(contentType ? { ContentType: contentType } : {}),
        }),
      ),
    );
    return ref;
  }

  private async storeStaged(ref: BlobRef, upload: StagedUpload): Promise<BlobRef> {
    const key = blobKey(ref.storedDigest);
    try {
      await upload.complete();
      if (upload.bytes !== ref.storedSize) throw new Error(`internal: staged ${upload.bytes} bytes, expected ${ref.storedSize}`);
      if (await this.exists(key, `put ${ref.storedDigest}`)) return ref;
      await this.writeOnce(`put ${ref.storedDigest} (copy from staging)`, () =>
        this.client.send(
          new CopyObjectCommand({ Bucket: this.options.bucket, Key: key, CopySource: `${this.options.bucket}/${upload.key}`, IfNoneMatch: '*' }),
        ),
      );
      return ref;
    } finally {
      await upload.discard();
    }
  }

  /**
   * A conditional write (`If-None-Match: *`). 412: a concurrent put stored the same address first,
   * so the blob is there. 409: S3 saw concurrent conditional writes in flight; try again.
   */
  private async writeOnce(what: string, send: () => Promise<unknown>): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        await send();
        return;
      } catch (err) {
        if (s3Status(err) === 412) return;
        if (s3Status(err) === 409 && s3ErrorName(err) === 'ConditionalRequestConflict' && attempt < 3) {
          await delay(50 * attempt);
          continue;
        }
        mapS3Error(err, what, this.options.bucket);
      }
    }
  }

  private async *verified(digest: BlobDigest, body: AsyncIterable<Uint8Array> & { destroy?: () => void }): AsyncGenerator<Uint8Array> {
    const hash = createHash('sha256');
    let read = false;
    try {
      for await (const chunk of body) {
        hash.update(chunk);
        yield chunk;
      }
      read = true;
    } catch (err) {
      mapS3Error(err, `read ${digest}`, this.options.bucket);
    } finally {
      // A reader that stopped early: free the connection.
      if (!read) body.destroy?.();
    }
    const actual = `sha256:${hash.digest('hex')}`;
    if (actual !== digest) throw new BlobCorrupt(digest, `stored bytes hash to ${actual}`);
  }
}
