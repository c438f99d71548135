import { loadConfig } from '@chaperone/config';
import { busSubjects } from '@chaperone/contracts';
import { bootstrapService, runMain, runtimeOptions } from '@chaperone/service-runtime';
import { ApprovalModule } from './approval.module';
import { approvalModuleOptions } from './approval-options';
import { approvalSettings } from './config';
import { PublicUrl } from './webhooks/public-url';

runMain(async () => {
  const config = loadConfig(approvalSettings);
  const app = await bootstrapService({
    service: 'approval',
    module: ApprovalModule.forRoot(approvalModuleOptions(runtimeOptions('approval', config, { events: false }), config)),
    healthHost: config.healthHost,
    healthPort: config.healthPort,
    jsonLogs: config.logFormat === 'json',
    messaging: { servers: config.natsServers, queue: busSubjects(config.busPrefix).queue('approval') },
    httpApi: 'approvers API',
  });
  app.get(PublicUrl).listeningAt(await app.getUrl());
});
