import { loadConfig } from '@chaperone/config';
import { bootstrapService, runMain } from '@chaperone/service-runtime';
import { ingressSettings } from './config';
import { IngressModule } from './ingress.module';

runMain(async () => {
  const config = loadConfig(ingressSettings);
  await bootstrapService({
    service: 'ingress',
    module: IngressModule.forRoot(config),
    healthHost: config.healthHost,
    healthPort: config.healthPort,
    jsonLogs: config.logFormat === 'json',
  });
});
