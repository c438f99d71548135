import { loadConfig } from '@chaperone/config';
import { bootstrapService, runMain, runtimeOptions, StartupError } from '@chaperone/service-runtime';
import { policySettings } from './config';
import { PolicyModule } from './policy.module';
import { PolicyLoadError, PolicyStore } from './rules';

runMain(async () => {
  const config = loadConfig(policySettings);
  let store: PolicyStore;
  try {
    store = PolicyStore.fromFile(config.policyFile);
  } catch (e) {
    // An invalid policy stops the service at start, naming the file, line and reason.
    if (e instanceof PolicyLoadError) throw new StartupError(e.message);
    throw e;
  }
  await bootstrapService({
    service: 'policy',
    module: PolicyModule.forRoot({
      runtime: runtimeOptions('policy', config, { events: true }),
      store,
      watch: config.watch,
      agents: {
        file: config.agentsFile,
        required: config.requireRegisteredAgents,
        watch: config.watch,
        eventStore: config.eventStore,
        eventStoreConnection: config.eventStoreConnection,
      },
    }),
    healthHost: config.healthHost,
    healthPort: config.healthPort,
    jsonLogs: config.logFormat === 'json',
  });
});
