import { loadConfig } from '@chaperone/config';
import { bootstrapService, commonSettings, runMain } from '@chaperone/service-runtime';
import { AuditModule } from './audit.module';

const settings = { ...commonSettings(9404) };

runMain(async () => {
  const config = loadConfig(settings);
  await bootstrapService({
    service: 'audit',
    module: AuditModule.forRoot(config.natsServers),
    healthHost: config.healthHost,
    healthPort: config.healthPort,
    jsonLogs: config.logFormat === 'json',
  });
});
