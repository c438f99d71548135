import { loadConfig } from '@chaperone/config';
import { bootstrapService, runMain, runtimeOptions } from '@chaperone/service-runtime';
import { AuditModule } from './audit.module';
import { auditSettings } from './config';

runMain(async () => {
  const config = loadConfig(auditSettings);
  await bootstrapService({
    service: 'audit',
    module: AuditModule.forRoot({
      runtime: runtimeOptions('audit', config, { events: true }),
      eventStore: config.eventStore,
      eventStoreConnection: config.eventStoreConnection,
    }),
    healthHost: config.healthHost,
    healthPort: config.healthPort,
    jsonLogs: config.logFormat === 'json',
  });
});
