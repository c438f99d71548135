import type { NatsConnection } from 'nats';
import { JetStreamBlobStore } from './jetstream';
import { InvalidArgument, type BlobStore } from './port';
import { validateS3Options, type S3BlobStoreOptions } from './s3/s3-options';

export const BlobStoreKinds = Object.freeze(['jetstream', 's3'] as const);
export type BlobStoreKind = (typeof BlobStoreKinds)[number];

export interface OpenBlobStoreOptions {
  kind: BlobStoreKind;
  /** JetStream: the connection (not owned by the store). */
  nc?: NatsConnection | undefined;
  /** JetStream: the object-store bucket (stream `OBJ_<bucket>`). */
  jetstreamBucket?: string | undefined;
  /** S3: the bucket (required), endpoint, region, path style; credentials from the SDK chain unless given. */
  s3?: Partial<S3BlobStoreOptions> | undefined;
}

/**
 * The blob store a service keeps evidence bodies in: the JetStream object store (here and by
 * default) or an S3 bucket. Bad options are an InvalidArgument naming the setting; a bucket that
 * cannot hold evidence is BlobStoreMisconfigured; an unreachable store is BlobStoreUnavailable.
 */
export async function openBlobStore(opts: OpenBlobStoreOptions): Promise<BlobStore> {
  switch (opts.kind) {
    case 'jetstream':
      if (!opts.nc) throw new InvalidArgument('the JetStream blob store needs a NATS connection');
      if (!opts.jetstreamBucket) throw new InvalidArgument('CHAPERONE_BLOB_STORE=jetstream needs CHAPERONE_BLOB_BUCKET (an object-store bucket name)');
      return JetStreamBlobStore.create(opts.nc, { bucket: opts.jetstreamBucket });
    case 's3': {
      const s3 = opts.s3 ?? {};
      if (!s3.bucket) throw new InvalidArgument('CHAPERONE_BLOB_STORE=s3 needs CHAPERONE_S3_BUCKET (the bucket name)');
      if (!s3.region) throw new InvalidArgument('CHAPERONE_BLOB_STORE=s3 needs CHAPERONE_S3_REGION (e.g. us-east-1)');
      const options: S3BlobStoreOptions = { ...s3, bucket: s3.bucket, region: s3.region };
      validateS3Options(options);
      // Loaded on demand: the AWS SDK takes a noticeable share of a service's start-up, and only
      // S3 deployments need it.
      const { S3BlobStore } = await import('./s3/s3-blob-store');
      return S3BlobStore.create(options);
    }
    default: {
      const unhandled: never = opts.kind;
      throw new InvalidArgument(`unknown blob store ${String(unhandled)}: expected one of ${BlobStoreKinds.join(', ')}`);
    }
  }
}
