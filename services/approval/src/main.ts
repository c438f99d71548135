import { loadConfig } from '@chaperone/config';
import { QueueGroups } from '@chaperone/contracts';
import { bootstrapService, commonSettings, runMain } from '@chaperone/service-runtime';
import { ApprovalModule } from './approval.module';

const settings = { ...commonSettings(9403) };

runMain(async () => {
  const config = loadConfig(settings);
  await bootstrapService({
    service: 'approval',
    module: ApprovalModule.forRoot(config.natsServers),
    healthHost: config.healthHost,
    healthPort: config.healthPort,
    jsonLogs: config.logFormat === 'json',
    messaging: { servers: config.natsServers, queue: QueueGroups.approval },
  });
});
