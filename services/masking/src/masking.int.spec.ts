import { serviceHealthContract } from '@chaperone/service-runtime/testing';
import { DEFAULT_WORKER_MIN_BYTES } from './config';
import { MaskingModule } from './masking.module';
import { BUILT_WORKER_FILE } from './testing/built-worker';

serviceHealthContract('masking', (runtime) => MaskingModule.forRoot(runtime, { workers: 1, minBytes: DEFAULT_WORKER_MIN_BYTES, workerFile: BUILT_WORKER_FILE }));
