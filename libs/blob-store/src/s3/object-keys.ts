import type { BlobDigest } from '../port';

/**
 * Bucket layout: a blob lives at `sha256/<hex>` (its content address; grant writers no delete
 * there), a large streamed body is assembled at `staging/<uuid>` before it is copied to its
 * address (writers may delete there; a lifecycle rule expires what a crash leaves).
 */
export const BLOB_PREFIX = 'sha256/';
export const STAGING_PREFIX = 'staging/';

export function blobKey(digest: BlobDigest): string {
  return `${BLOB_PREFIX}${digest.slice('sha256:'.length)}`;
}

export function stagingKey(id: string): string {
  return `${STAGING_PREFIX}${id}`;
}

/** `sha256:<hex>` ↦ base64 of the raw digest, the form of S3's x-amz-checksum-sha256. */
export function s3ChecksumSha256(digest: BlobDigest): string {
  return Buffer.from(digest.slice('sha256:'.length), 'hex').toString('base64');
}
