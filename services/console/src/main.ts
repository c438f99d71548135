import { loadConfig } from '@chaperone/config';
import { bootstrapService, runMain } from '@chaperone/service-runtime';
import { ConsoleModule } from './console.module';
import { consoleSettings } from './config';

runMain(async () => {
  const config = loadConfig(consoleSettings);
  await bootstrapService({
    service: 'console',
    module: ConsoleModule.forRoot(config),
    healthHost: config.healthHost,
    healthPort: config.healthPort,
    jsonLogs: config.logFormat === 'json',
    httpApi: 'console',
  });
});
