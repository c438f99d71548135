import type { INestApplication } from '@nestjs/common';
import { bootstrapService } from '@chaperone/service-runtime';
import { MaskingModule } from '../masking.module';
import { BUILT_WORKER_FILE } from './built-worker';

/** The masking service as it runs, on a bus prefix of the test's, with one worker thread taking documents of at least `workerMinBytes`. */
export function startMaskingApp(natsServers: string[], busPrefix: string, workerMinBytes: number): Promise<INestApplication> {
  return bootstrapService({
    service: 'masking',
    module: MaskingModule.forRoot({ service: 'masking', natsServers, busPrefix }, { workers: 1, minBytes: workerMinBytes, workerFile: BUILT_WORKER_FILE }),
    healthHost: '127.0.0.1',
    healthPort: 0,
    jsonLogs: true,
    quiet: true,
  });
}
