export * from './port';
export * from './body-digest';
export * from './jetstream';
export * from './s3/s3-options';
export { BLOB_PREFIX, STAGING_PREFIX, blobKey } from './s3/object-keys';
// The S3 adapter itself is loaded by openBlobStore on demand (the AWS SDK is heavy to load).
export type { S3BlobStore } from './s3/s3-blob-store';
export * from './open-blob-store';
