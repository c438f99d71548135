import { ConfigError, loadConfig } from '@chaperone/config';
import { blobStoreSettings } from './blob-store-settings';

describe('blobStoreSettings', () => {
  it('given nothing set, then the JetStream store with the bucket derived from the bus prefix', () => {
    expect(loadConfig(blobStoreSettings(), {})).toEqual({
      blobStore: 'jetstream',
      blobBucket: undefined,
      s3Endpoint: undefined,
      s3Region: 'us-east-1',
      s3Bucket: undefined,
      s3ForcePathStyle: false,
    });
  });

  it('given an S3 configuration, then its values', () => {
    const config = loadConfig(blobStoreSettings(), {
      CHAPERONE_BLOB_STORE: 's3',
      CHAPERONE_S3_ENDPOINT: 'https://minio.example:9000',
      CHAPERONE_S3_REGION: 'eu-west-1',
      CHAPERONE_S3_BUCKET: 'chaperone-evidence',
      CHAPERONE_S3_FORCE_PATH_STYLE: 'true',
    });
    expect(config).toMatchObject({ blobStore: 's3', s3Endpoint: 'https://minio.example:9000', s3Region: 'eu-west-1', s3Bucket: 'chaperone-evidence', s3ForcePathStyle: true });
  });

  it('given bad values, then every key is named with its expected form', () => {
    let err: unknown;
    try {
      loadConfig(blobStoreSettings(), {
        CHAPERONE_BLOB_STORE: 'gcs',
        CHAPERONE_BLOB_BUCKET: 'a.b',
        CHAPERONE_S3_REGION: 'EU West',
        CHAPERONE_S3_BUCKET: 'Evidence_Bodies',
        CHAPERONE_S3_FORCE_PATH_STYLE: 'yes',
      });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ConfigError);
    const problems = (err as ConfigError).problems;
    expect(problems).toHaveLength(5);
    expect(problems[0]).toMatch(/^CHAPERONE_BLOB_STORE: "gcs" is not valid: .*\(expected one of jetstream, s3\)/);
    expect(problems[1]).toMatch(/^CHAPERONE_BLOB_BUCKET: "a.b" is not valid: not a valid object-store bucket name/);
    expect(problems[2]).toMatch(/^CHAPERONE_S3_REGION: "EU West" is not valid: not a region name/);
    expect(problems[3]).toMatch(/^CHAPERONE_S3_BUCKET: "Evidence_Bodies" is not valid: not a valid S3 bucket name \(expected the S3 bucket/);
    expect(problems[4]).toMatch(/^CHAPERONE_S3_FORCE_PATH_STYLE: "yes" is not valid/);
  });
});
