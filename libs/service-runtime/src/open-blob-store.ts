import type { NatsConnection } from 'nats';
import type { BusSubjects } from '@chaperone/contracts';
import { BlobStoreMisconfigured, InvalidArgument as BlobInvalidArgument, openBlobStore, type BlobStore, type BlobStoreKind } from '@chaperone/blob-store';
import { StartupError } from './startup-error';

export interface BlobStoreConfig {
  blobStore: BlobStoreKind;
  blobBucket: string | undefined;
  s3Endpoint: string | undefined;
  s3Region: string;
  s3Bucket: string | undefined;
  s3ForcePathStyle: boolean;
}

/** The JetStream object-store bucket for evidence bodies when CHAPERONE_BLOB_BUCKET is unset. */
export function defaultBlobBucket(subjects: Pick<BusSubjects, 'prefix'>): string {
  return `${subjects.prefix}-blobs`;
}

/**
 * The blob store for evidence bodies, selected by `blobStoreSettings()`: the JetStream object store
 * (here and by default; bucket `<bus prefix>-blobs` unless CHAPERONE_BLOB_BUCKET says otherwise) or
 * an S3 bucket. A misconfiguration (a missing setting, a bucket that is absent or cannot hold
 * evidence, refused credentials) is a StartupError: the service exits with the reason, which never
 * contains a credential.
 */
export async function openServiceBlobStore(
  config: BlobStoreConfig,
  deps: { nc: NatsConnection; subjects: BusSubjects },
  env: NodeJS.ProcessEnv = process.env,
): Promise<BlobStore> {
  if (config.blobStore === 's3' && Boolean(env['AWS_ACCESS_KEY_ID']) !== Boolean(env['AWS_SECRET_ACCESS_KEY'])) {
    throw new StartupError(
      'CHAPERONE_BLOB_STORE=s3: set both AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or neither (the AWS SDK then uses a profile, web identity or the instance role)',
    );
  }
  try {
    return await openBlobStore({
      kind: config.blobStore,
      nc: deps.nc,
      jetstreamBucket: config.blobBucket ?? defaultBlobBucket(deps.subjects),
      s3: {
        bucket: config.s3Bucket,
        region: config.s3Region,
        endpoint: config.s3Endpoint,
        forcePathStyle: config.s3ForcePathStyle,
      },
    });
  } catch (err) {
    if (err instanceof BlobInvalidArgument || err instanceof BlobStoreMisconfigured) throw new StartupError(`blob store: ${err.message}`);
    throw err;
  }
}
