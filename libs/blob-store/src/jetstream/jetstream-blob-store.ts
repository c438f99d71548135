import { createHash } from 'node:crypto';
import { nuid, type JetStreamClient, type JetStreamManager, type NatsConnection, type PubAck, type StoredMsg } from 'nats';
import { validateBlobDigest } from '../body-digest';
import {
  BlobCorrupt,
  BlobDeleteRefused,
  BlobStoreUnavailable,
  InvalidArgument,
  type BlobDigest,
  type BlobRef,
  type BlobStore,
  type PutOptions,
} from '../port';
import { collectBytes } from '../collect-bytes';
import { readPutBody } from '../read-put-body';
import { bucketStreamName, chunkSubject, ensureEvidenceBucket, metaSubject, validateBucketName, type EvidenceBucketConfig } from './bucket-config';
import { JsErrCodes, jsErrCode, mapNatsError, natsCode } from './errors';

export interface JetStreamBlobStoreOptions extends EvidenceBucketConfig {
  /** Per request; default 5000. */
  timeoutMs?: number;
  /** Create/validate the bucket on create(); default true. */
  ensureBucket?: boolean;
  /** Object chunk size (one JetStream message each); default 128 KiB, clamped to the server's max_payload. */
  chunkBytes?: number;
  /**
   * A streamed body whose kept bytes fit in this many bytes is buffered in memory, digested, and
   * uploaded only when it is not stored yet. Larger ones are uploaded while they stream (see the
   * class comment). Default 1 MiB.
   */
  maxBufferBytes?: number;
  /** Chunk publishes awaiting their ack at once; default 8. */
  maxInFlight?: number;
}

export const DEFAULT_CHUNK_BYTES = 128 * 1024;
export const DEFAULT_MAX_BUFFER_BYTES = 1024 * 1024;

/** The object-store metadata JSON (the nats.js / Go client wire format). */
export interface ObjectMetaRecord {
  name: string;
  description: string;
  headers?: Record<string, string[]>;
  options?: { max_chunk_size?: number };
  bucket: string;
  nuid: string;
  size: number;
  chunks: number;
  /** `SHA-256=` + padded base64url of the sha256 of the object's bytes. */
  digest: string;
  deleted?: boolean;
  mtime: string;
}

/**
 * nats.js implements JetStream direct get (`jsm.direct`) but leaves it off the public
 * JetStreamManager type (experimental); the adapter needs `next_by_subj` to find the FIRST message
 * of a subject, which the regular message-get API of nats-server 2.9 does not offer via nats.js.
 */
interface DirectGet {
  getMessage(stream: string, query: { seq: number; next_by_subj: string }): Promise<StoredMsg>;
}

interface Meta {
  record: ObjectMetaRecord;
  seq: number;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();
const NUID = /^[A-Za-z0-9]+$/;

/** `sha256:<hex>` ↦ the object store's `SHA-256=<padded base64url>`. */
export function objectStoreDigest(digest: BlobDigest): string {
  const b64 = Buffer.from(digest.slice('sha256:'.length), 'hex').toString('base64').replace(/\+/g, '-').replace(/\//g, '_');
  return `SHA-256=${b64}`;
}

/**
 * Blob store on a NATS JetStream object-store bucket (the default adapter).
 *
 * Layout: a regular object-store bucket (stream `OBJ_<bucket>`), object name = the blob's content
 * address `sha256:<hex>`; chunks on `$O.<bucket>.C.<nuid>`, metadata on `$O.<bucket>.M.<b64(name)>`.
 * nats.js (`os.get`, `os.info`) and the nats CLI can read it. The stream denies deletes and purges
 * (so nothing can be removed — and, on nats-server 2.9, rollups are refused too, which makes
 * nats.js `os.put`/`os.delete` fail). The adapter therefore writes the object-store format
 * itself: chunks first, then ONE metadata message published with
 * `Nats-Expected-Last-Subject-Sequence: 0`, so the server accepts only the first metadata for a
 * name. Reads use that FIRST metadata message (direct get, `next_by_subj`), read exactly its
 * chunks (which must precede it), and verify size and sha256 against the name: a later forged
 * metadata message (e.g. a "deleted" marker) cannot hide or replace a blob, and tampered chunks
 * raise BlobCorrupt.
 *
 * No rename is needed although the name is known only after the body has streamed: like the
 * object store itself, chunks are written under a random nuid and the metadata that names them
 * is written last.
 *
 * Idempotency: a Uint8Array body, or a streamed body whose kept bytes fit in maxBufferBytes, is
 * digested first and uploaded only if absent. A larger streamed body is uploaded while it streams
 * (bounded memory); if the blob turns out to exist already (or a concurrent put wins the metadata
 * race), its chunks stay in the stream unreferenced — harmless, but space that only a purge of
 * that nuid's subject gives back. The same happens to the chunks of a put that fails midway
 * (outage, source error). Concurrent puts of the same content never corrupt: exactly one metadata
 * message wins.
 *
 * Deletion (retention) purges the blob's metadata subject, then its chunk subject: readers see it
 * absent from the first purge on, and a later put of the same bytes finds no metadata and stores
 * them again (a new nuid, a new first metadata message).
 *
 * Who may publish on `$O.<bucket>.>` must be restricted to writers (NATS permissions): a forged
 * FIRST metadata for a digest not yet stored would make that blob unreadable (BlobCorrupt), though
 * never silently wrong. Who may purge (`$JS.API.STREAM.PURGE.OBJ_<bucket>`) must be restricted to
 * the pruning identity.
 */
export class JetStreamBlobStore implements BlobStore {
  private readonly js: JetStreamClient;
  private readonly timeoutMs: number;
  private readonly stream: string;
  private readonly chunkBytes: number;
  private readonly maxBufferBytes: number;
  private readonly maxInFlight: number;
  private closed = false;

  private readonly direct: DirectGet;

  private constructor(
    nc: NatsConnection,
    private readonly jsm: JetStreamManager,
    private readonly config: JetStreamBlobStoreOptions,
  ) {
    const direct = (jsm as unknown as { direct?: DirectGet }).direct;
    if (typeof direct?.getMessage !== 'function') throw new Error('this nats.js version exposes no JetStream direct get (jsm.direct)');
    this.direct = direct;
    this.timeoutMs = config.timeoutMs ?? 5000;
    this.js = nc.jetstream({ timeout: this.timeoutMs });
    this.stream = bucketStreamName(config.bucket);
    const maxPayload = nc.info?.max_payload ?? 1024 * 1024;
    this.chunkBytes = Math.min(config.chunkBytes ?? DEFAULT_CHUNK_BYTES, maxPayload);
    this.maxBufferBytes = config.maxBufferBytes ?? DEFAULT_MAX_BUFFER_BYTES;
    this.maxInFlight = config.maxInFlight ?? 8;
  }

  /** The store does not own the connection: close() leaves it open. */
  static async create(nc: NatsConnection, config: JetStreamBlobStoreOptions): Promise<JetStreamBlobStore> {
    validateBucketName(config.bucket);
    for (const [k, v, min] of [
      ['chunkBytes', config.chunkBytes, 1],
      ['maxBufferBytes', config.maxBufferBytes, 0],
      ['maxInFlight', config.maxInFlight, 1],
      ['timeoutMs', config.timeoutMs, 1],
    ] as const) {
      if (v !== undefined && (!Number.isSafeInteger(v) || v < min)) throw new InvalidArgument(`invalid ${k} ${v}`);
    }
    let jsm: JetStreamManager;
    try {
      jsm = await nc.jetstreamManager({ timeout: config.timeoutMs ?? 5000 });
    } catch (err) {
      mapNatsError(err, 'jetstreamManager');
    }
    if (config.ensureBucket ?? true) await ensureEvidenceBucket(jsm, config);
    return new JetStreamBlobStore(nc, jsm, config);
  }

  get bucket(): string {
    return this.config.bucket;
  }

  get streamName(): string {
    return this.stream;
  }

  async put(body: AsyncIterable<Uint8Array> | Uint8Array, opts: PutOptions): Promise<BlobRef> {
    this.assertOpen();
    const { ref, pending, upload } = await readPutBody(body, opts, {
      maxBufferBytes: this.maxBufferBytes,
      newUpload: () => this.newUpload(),
      failed: async (err, begun) => {
        begun?.abandon();
        if (err instanceof InvalidArgument) throw err;
        mapNatsError(err, 'put (streaming chunks)');
      },
    });
    return this.store(ref, pending, upload, opts.contentType);
  }

  async get(digest: BlobDigest): Promise<Uint8Array | undefined> {
    const stream = await this.getStream(digest);
    return stream && collectBytes(stream);
  }

  async getStream(digest: BlobDigest): Promise<AsyncIterable<Uint8Array> | undefined> {
    this.assertOpen();
    validateBlobDigest(digest);
    const meta = await this.firstMeta(digest);
    if (!meta) return undefined;
    return this.readChunks(digest, meta);
  }

  async has(digest: BlobDigest): Promise<boolean> {
    this.assertOpen();
    validateBlobDigest(digest);
    return (await this.firstMeta(digest)) !== undefined;
  }

  async delete(digest: BlobDigest): Promise<boolean> {
    this.assertOpen();
    validateBlobDigest(digest);
    const first = await this.firstMetaMessage(digest);
    if (!first) return false;
    // The nuid of a malformed metadata is unknown: its chunks (if any) stay, unreferenced.
    let nuid: string | undefined;
    try {
      const record = JSON.parse(decoder.decode(first.data)) as Partial<ObjectMetaRecord> | null;
      if (typeof record?.nuid === 'string' && NUID.test(record.nuid)) nuid = record.nuid;
    } catch {
      nuid = undefined;
    }
    await this.purge(digest, metaSubject(this.config.bucket, digest));
    if (nuid !== undefined) await this.purge(digest, chunkSubject(this.config.bucket, nuid));
    return true;
  }

  /** The connection belongs to the caller. */
  async close(): Promise<void> {
    this.closed = true;
  }

  private assertOpen(): void {
    if (this.closed) throw new BlobStoreUnavailable('blob store is closed');
  }

  private newUpload(): ChunkUpload {
    return new ChunkUpload(this.js, this.config.bucket, this.chunkBytes, this.maxInFlight, this.timeoutMs);
  }

  private async store(ref: BlobRef, pending: Uint8Array[], upload: ChunkUpload | undefined, contentType: string | undefined): Promise<BlobRef> {
    if (!upload) {
      if (await this.has(ref.storedDigest)) return ref;
      upload = this.newUpload();
      try {
        for (const p of pending) await upload.write(p);
      } catch (err) {
        upload.abandon();
        mapNatsError(err, 'put (chunks)');
      }
    }
    try {
      await upload.finish();
    } catch (err) {
      upload.abandon();
      mapNatsError(err, 'put (chunks)');
    }
    if (upload.bytes !== ref.storedSize) throw new Error(`internal: uploaded ${upload.bytes} bytes, expected ${ref.storedSize}`);
    const record: ObjectMetaRecord = {
      name: ref.storedDigest,
      description: '',
      ...(contentType ? { headers: { 'Content-Type': [contentType] } } : {}),
      options: { max_chunk_size: this.chunkBytes },
      bucket: this.config.bucket,
      nuid: upload.nuid,
      size: upload.bytes,
      chunks: upload.chunks,
      digest: objectStoreDigest(ref.storedDigest),
      deleted: false,
      mtime: new Date().toISOString(),
    };
    try {
      await this.js.publish(metaSubject(this.config.bucket, ref.storedDigest), encoder.encode(JSON.stringify(record)), {
        expect: { lastSubjectSequence: 0 },
        timeout: this.timeoutMs,
      });
    } catch (err) {
      // Another put stored the same content first: its metadata stands, our chunks are orphaned.
      if (jsErrCode(err) === JsErrCodes.wrongLastSequence) return ref;
      mapNatsError(err, 'put (metadata)');
    }
    return ref;
  }

  private async purge(digest: BlobDigest, filter: string): Promise<void> {
    try {
      await this.jsm.streams.purge(this.stream, { filter });
    } catch (err) {
      if (jsErrCode(err) === JsErrCodes.purgeNotPermitted) {
        throw new BlobDeleteRefused(digest, `stream ${this.stream} denies purges (deny_purge: the bucket keeps every blob for good)`);
      }
      mapNatsError(err, `delete ${digest}`);
    }
  }

  /** The first metadata message for the name, unparsed. */
  private async firstMetaMessage(digest: BlobDigest): Promise<StoredMsg | undefined> {
    try {
      return await this.direct.getMessage(this.stream, { seq: 1, next_by_subj: metaSubject(this.config.bucket, digest) });
    } catch (err) {
      if (natsCode(err) === '404') return undefined;
      mapNatsError(err, `read metadata of ${digest}`);
    }
  }

  /** The first metadata message for the name: the one that defines the blob. */
  private async firstMeta(digest: BlobDigest): Promise<Meta | undefined> {
    const m = await this.firstMetaMessage(digest);
    if (!m) return undefined;
    let record: ObjectMetaRecord;
    try {
      record = JSON.parse(decoder.decode(m.data)) as ObjectMetaRecord;
    } catch {
      throw new BlobCorrupt(digest, `metadata at sequence ${m.seq} is not JSON`);
    }
    const problem =
      record?.name !== digest
        ? `metadata names ${JSON.stringify(record?.name)}`
        : typeof record.nuid !== 'string' || !NUID.test(record.nuid)
          ? 'metadata has no valid nuid'
          : !Number.isSafeInteger(record.size) || record.size < 0 || !Number.isSafeInteger(record.chunks) || record.chunks < 0
            ? 'metadata has no valid size/chunks'
            : record.deleted
              ? 'first metadata is a deletion marker'
              : record.digest !== objectStoreDigest(digest)
                ? `metadata digest ${JSON.stringify(record.digest)} does not match the name`
                : undefined;
    if (problem) throw new BlobCorrupt(digest, `${problem} (sequence ${m.seq})`);
    return { record, seq: m.seq };
  }

  private async *readChunks(digest: BlobDigest, meta: Meta): AsyncGenerator<Uint8Array> {
    const subject = chunkSubject(this.config.bucket, meta.record.nuid);
    const hash = createHash('sha256');
    let next = 1;
    let total = 0;
    for (let i = 0; i < meta.record.chunks; i++) {
      let m: StoredMsg;
      try {
        m = await this.direct.getMessage(this.stream, { seq: next, next_by_subj: subject });
      } catch (err) {
        if (natsCode(err) === '404') throw new BlobCorrupt(digest, `chunk ${i + 1} of ${meta.record.chunks} is missing`);
        mapNatsError(err, `read chunk ${i + 1} of ${digest}`);
      }
      if (m.seq > meta.seq) throw new BlobCorrupt(digest, `chunk ${i + 1} of ${meta.record.chunks} is missing (only found after the metadata)`);
      next = m.seq + 1;
      total += m.data.length;
      if (total > meta.record.size) break;
      hash.update(m.data);
      yield m.data;
    }
    if (total !== meta.record.size) throw new BlobCorrupt(digest, `read ${total} bytes, metadata says ${meta.record.size}`);
    const actual = `sha256:${hash.digest('hex')}`;
    if (actual !== digest) throw new BlobCorrupt(digest, `stored bytes hash to ${actual}`);
  }
}

/** Cuts bytes into fixed-size chunks and publishes them with a bounded number of unacked publishes. */
class ChunkUpload {
  readonly nuid = nuid.next();
  chunks = 0;
  bytes = 0;
  private buf: Uint8Array;
  private fill = 0;
  private readonly inFlight: Promise<PubAck>[] = [];
  private readonly subject: string;

  constructor(
    private readonly js: JetStreamClient,
    bucket: string,
    private readonly chunkBytes: number,
    private readonly maxInFlight: number,
    private readonly timeoutMs: number,
  ) {
    this.subject = chunkSubject(bucket, this.nuid);
    this.buf = new Uint8Array(chunkBytes);
  }

  async write(data: Uint8Array): Promise<void> {
    let off = 0;
    while (off < data.length) {
      const n = Math.min(this.chunkBytes - this.fill, data.length - off);
      this.buf.set(data.subarray(off, off + n), this.fill);
      this.fill += n;
      off += n;
      if (this.fill === this.chunkBytes) await this.flush();
    }
  }

  async finish(): Promise<void> {
    await this.flush();
    while (this.inFlight.length > 0) await this.inFlight.shift();
  }

  /** After a failure: nothing more is awaited (chunks already published stay orphaned). */
  abandon(): void {
    this.inFlight.length = 0;
  }

  private async flush(): Promise<void> {
    if (this.fill === 0) return;
    const payload = this.fill === this.chunkBytes ? this.buf : this.buf.slice(0, this.fill);
    const p = this.js.publish(this.subject, payload, { timeout: this.timeoutMs });
    p.catch(() => undefined); // observed when awaited; avoids an unhandled rejection meanwhile
    this.inFlight.push(p);
    this.chunks++;
    this.bytes += this.fill;
    this.fill = 0;
    this.buf = new Uint8Array(this.chunkBytes);
    if (this.inFlight.length >= this.maxInFlight) await this.inFlight.shift();
  }
}
