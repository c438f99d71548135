import { InvalidArgument } from '../port';

/** S3 refuses multipart parts below 5 MiB (except the last). */
export const MIN_PART_BYTES = 5 * 1024 * 1024;
/** One CopyObject copies at most 5 GiB: the most a streamed blob can keep on S3. */
export const MAX_STAGED_BYTES = 5 * 1024 ** 3;

export interface S3Credentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

export interface S3BlobStoreOptions {
  /** The bucket, created beforehand (docs/blob-store.md: its policy and lifecycle rules). */
  bucket: string;
  /** AWS region; S3-compatible servers mostly accept any (e.g. us-east-1). */
  region: string;
  /** An S3-compatible endpoint URL (MinIO, Ceph RGW, ...); unset = AWS S3 of `region`. */
  endpoint?: string;
  /** Path-style URLs (`<endpoint>/<bucket>/<key>`), which most S3-compatible servers need; default false. */
  forcePathStyle?: boolean;
  /** Default: the AWS SDK's standard chain (AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, profile, web identity, instance role). */
  credentials?: S3Credentials;
  /** Connect timeout, and the longest a request (or a reader) may go without a byte moving; default 5000. */
  timeoutMs?: number;
  /** Attempts per request, retries with backoff included (the SDK's standard retry); default 3. */
  maxAttempts?: number;
  /**
   * A streamed body whose kept bytes fit in this many bytes is buffered, digested and sent with one
   * PutObject only when it is not stored yet; a larger one is uploaded to `staging/` as it streams
   * and then copied to its address. Default 8 MiB.
   */
  maxBufferBytes?: number;
  /** Part size of staged uploads; at least 5 MiB (S3's minimum); default 8 MiB. */
  partBytes?: number;
  /** On create(), check that the bucket exists and these credentials reach it (HeadBucket); default true. */
  verifyBucket?: boolean;
}

export const DEFAULT_S3_MAX_BUFFER_BYTES = 8 * 1024 * 1024;
export const DEFAULT_S3_PART_BYTES = 8 * 1024 * 1024;

/** The AWS bucket naming rule (3-63 lower-case letters, digits, dots, hyphens). */
const S3_BUCKET = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;
const REGION = /^[a-z0-9-]{1,64}$/;

export function isS3BucketName(value: unknown): boolean {
  return typeof value === 'string' && S3_BUCKET.test(value);
}

export function isS3Region(value: unknown): boolean {
  return typeof value === 'string' && REGION.test(value);
}

/** Throws InvalidArgument naming the option and the expected form; never echoes a credential. */
export function validateS3Options(options: S3BlobStoreOptions): void {
  if (!isS3BucketName(options?.bucket)) {
    throw new InvalidArgument(`invalid S3 bucket name ${JSON.stringify(String(options?.bucket).slice(0, 80))}: expected 3-63 lower-case letters, digits, dots or hyphens`);
  }
  if (!isS3Region(options.region)) {
    throw new InvalidArgument(`invalid S3 region ${JSON.stringify(String(options.region).slice(0, 80))}: expected e.g. us-east-1`);
  }
  if (options.endpoint !== undefined) validateEndpoint(options.endpoint);
  const creds = options.credentials;
  if (creds !== undefined) {
    for (const k of ['accessKeyId', 'secretAccessKey'] as const) {
      if (typeof creds[k] !== 'string' || creds[k] === '') throw new InvalidArgument(`S3 credentials need a non-empty ${k}`);
    }
  }
  for (const [k, v, min] of [
    ['timeoutMs', options.timeoutMs, 1],
    ['maxAttempts', options.maxAttempts, 1],
    ['maxBufferBytes', options.maxBufferBytes, 0],
    ['partBytes', options.partBytes, MIN_PART_BYTES],
  ] as const) {
    if (v !== undefined && (!Number.isSafeInteger(v) || v < min)) throw new InvalidArgument(`invalid ${k} ${v}: expected an integer of at least ${min}`);
  }
}

function validateEndpoint(endpoint: unknown): void {
  let url: URL;
  try {
    url = new URL(String(endpoint));
  } catch {
    throw new InvalidArgument('invalid S3 endpoint: expected an http(s) URL, e.g. https://minio.example:9000');
  }
  // Checked before anything echoes the value: a URL may carry a password.
  if (url.username !== '' || url.password !== '') {
    throw new InvalidArgument('invalid S3 endpoint: it must not carry credentials (use AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY)');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new InvalidArgument(`invalid S3 endpoint protocol ${JSON.stringify(url.protocol.slice(0, 20))}: expected an http(s) URL`);
  }
}
