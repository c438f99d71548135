export * from './s3-options';
export * from './s3-blob-store';
export { BLOB_PREFIX, STAGING_PREFIX, blobKey } from './object-keys';
