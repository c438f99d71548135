import { loadConfig } from '@chaperone/config';
import { bootstrapService, runMain, runtimeOptions } from '@chaperone/service-runtime';
import { maskingSettings } from './config';
import { MaskingModule } from './masking.module';

runMain(async () => {
  const config = loadConfig(maskingSettings);
  await bootstrapService({
    service: 'masking',
    module: MaskingModule.forRoot(runtimeOptions('masking', config, { events: false }), { workers: config.workers, minBytes: config.workerMinBytes }),
    healthHost: config.healthHost,
    healthPort: config.healthPort,
    jsonLogs: config.logFormat === 'json',
  });
});
