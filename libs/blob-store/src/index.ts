export * from './port';
export * from './body-digest';
export * from './jetstream';
export * from './testing/blob-store-contract';
export * from './s3/s3-options';
export { BLOB_PREFIX, STAGING_PREFIX, blobKey } from './s3/object-keys';
export type { S3BlobStore } from './s3/s3-blob-store';
