import { loadConfig } from '@chaperone/config';
import { QueueGroups } from '@chaperone/contracts';
import { bootstrapService, commonSettings, runMain } from '@chaperone/service-runtime';
import { MaskingModule } from './masking.module';

const settings = { ...commonSettings(9402) };

runMain(async () => {
  const config = loadConfig(settings);
  await bootstrapService({
    service: 'masking',
    module: MaskingModule.forRoot(config.natsServers),
    healthHost: config.healthHost,
    healthPort: config.healthPort,
    jsonLogs: config.logFormat === 'json',
    messaging: { servers: config.natsServers, queue: QueueGroups.masking },
  });
});
