import { loadConfig } from '@chaperone/config';
import { busSubjects } from '@chaperone/contracts';
import { bootstrapService, commonSettings, runMain, runtimeOptions } from '@chaperone/service-runtime';
import { ApprovalModule } from './approval.module';

const settings = { ...commonSettings(9403) };

runMain(async () => {
  const config = loadConfig(settings);
  await bootstrapService({
    service: 'approval',
    module: ApprovalModule.forRoot(runtimeOptions('approval', config, { events: false })),
    healthHost: config.healthHost,
    healthPort: config.healthPort,
    jsonLogs: config.logFormat === 'json',
    messaging: { servers: config.natsServers, queue: busSubjects(config.busPrefix).queue('approval') },
  });
});
