import { join } from 'node:path';

/**
 * The built worker entry, for tests that run the service from its TypeScript sources: a worker
 * thread runs JavaScript, so they use the build output (the test target depends on the build).
 */
export const BUILT_WORKER_FILE = join(__dirname, '..', '..', 'dist', 'mask-streams', 'mask-worker.js');
