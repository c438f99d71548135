import { loadConfig } from '@chaperone/config';
import { bootstrapService, runMain } from '@chaperone/service-runtime';
import { exporterSettings } from './config';
import { ExporterModule } from './exporter.module';

runMain(async () => {
  const config = loadConfig(exporterSettings);
  await bootstrapService({
    service: 'exporter',
    module: ExporterModule.forRoot(config),
    healthHost: config.healthHost,
    healthPort: config.healthPort,
    jsonLogs: config.logFormat === 'json',
  });
});
