import { loadConfig } from '@chaperone/config';
import { busSubjects } from '@chaperone/contracts';
import { bootstrapService, commonSettings, runMain, runtimeOptions } from '@chaperone/service-runtime';
import { MaskingModule } from './masking.module';

const settings = { ...commonSettings(9402) };

runMain(async () => {
  const config = loadConfig(settings);
  await bootstrapService({
    service: 'masking',
    module: MaskingModule.forRoot(runtimeOptions('masking', config, { events: false })),
    healthHost: config.healthHost,
    healthPort: config.healthPort,
    jsonLogs: config.logFormat === 'json',
    messaging: { servers: config.natsServers, queue: busSubjects(config.busPrefix).queue('masking') },
  });
});
