import { loadConfig } from '@chaperone/config';
import { bootstrapService, runMain } from '@chaperone/service-runtime';
import { ReportsModule } from './reports.module';
import { reportsSettings } from './config';

runMain(async () => {
  const config = loadConfig(reportsSettings);
  await bootstrapService({
    service: 'reports',
    module: ReportsModule.forRoot(config),
    healthHost: config.healthHost,
    healthPort: config.healthPort,
    jsonLogs: config.logFormat === 'json',
  });
});
