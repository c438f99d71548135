import { BlobStoreKinds, isS3BucketName, isS3Region, validateBucketName } from '@chaperone/blob-store';
import { setting, type Setting } from '@chaperone/config';
import { z } from 'zod';

function optionalMatching(env: string, expected: string, valid: (v: string) => boolean, why: string): Setting<string | undefined> {
  return {
    env,
    expected,
    schema: z
      .string()
      .refine((v) => v === '' || valid(v), why)
      .transform((v) => (v === '' ? undefined : v)),
    default: '',
  };
}

function isObjectStoreBucketName(v: string): boolean {
  try {
    validateBucketName(v);
    return true;
  } catch {
    return false;
  }
}

/**
 * Settings of every service that stores or reads evidence bodies (request/response bodies, exec
 * recordings). S3 credentials are not settings of ours: the AWS SDK's standard chain reads
 * AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY (or a profile, web identity, the instance role), and
 * openServiceBlobStore checks that they come as a pair.
 */
export function blobStoreSettings() {
  return {
    blobStore: setting.oneOf('CHAPERONE_BLOB_STORE', BlobStoreKinds, 'jetstream'),
    blobBucket: optionalMatching(
      'CHAPERONE_BLOB_BUCKET',
      'the JetStream object-store bucket for evidence bodies (letters, digits, "-" or "_"); unset = <bus prefix>-blobs',
      isObjectStoreBucketName,
      'not a valid object-store bucket name',
    ),
    s3Endpoint: setting.optional('CHAPERONE_S3_ENDPOINT', 'an S3-compatible endpoint URL, e.g. https://minio.example:9000 (unset = AWS S3 of CHAPERONE_S3_REGION)'),
    s3Region: {
      ...setting.string('CHAPERONE_S3_REGION', 'an S3 region, e.g. eu-west-1', 'us-east-1'),
      schema: z.string().refine(isS3Region, 'not a region name'),
    } satisfies Setting<string>,
    s3Bucket: optionalMatching(
      'CHAPERONE_S3_BUCKET',
      'the S3 bucket for evidence bodies, 3-63 lower-case letters, digits, "." or "-" (required with CHAPERONE_BLOB_STORE=s3)',
      isS3BucketName,
      'not a valid S3 bucket name',
    ),
    s3ForcePathStyle: setting.bool('CHAPERONE_S3_FORCE_PATH_STYLE', 'true for path-style URLs (most S3-compatible servers), false for virtual-hosted ones (AWS)', 'false'),
  };
}
