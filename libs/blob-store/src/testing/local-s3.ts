import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import S3rver from 's3rver';

/** s3rver's fixed development credentials (not a secret; a test server accepts only these). */
export const LOCAL_S3_CREDENTIALS = Object.freeze({ accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' });

export interface LocalS3 {
  /** http://127.0.0.1:<port>; path-style addressing only. */
  endpoint: string;
  region: string;
  credentials: { accessKeyId: string; secretAccessKey: string };
  /** Stop the server and remove its directory. */
  stop(): Promise<void>;
}

/**
 * An S3 server in this process (s3rver over a temp directory, on a free port) for tests of the S3
 * adapter. It knows one access key id (SigV4 signatures themselves are not verified) and enforces
 * no bucket policy, Object Lock or conditional writes.
 */
export async function startLocalS3(): Promise<LocalS3> {
  const directory = await mkdtemp(join(tmpdir(), 'chaperone-s3rver-'));
  const server = new S3rver({ address: '127.0.0.1', port: 0, silent: true, directory, resetOnClose: true });
  const { port } = await server.run();
  return {
    endpoint: `http://127.0.0.1:${port}`,
    region: 'us-east-1',
    credentials: { ...LOCAL_S3_CREDENTIALS },
    async stop() {
      await server.close();
      await rm(directory, { recursive: true, force: true });
    },
  };
}

/** A bucket name of its own for one test run (S3 rules: lower case, digits, hyphens). */
export function uniqueS3Bucket(label = 'test-blobs'): string {
  return `${label}-${randomUUID().replace(/-/g, '').slice(0, 12)}`;
}
