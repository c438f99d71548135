import { Inject, Logger, Module, type DynamicModule, type OnApplicationShutdown } from '@nestjs/common';
import { Readiness, ServiceRuntimeModule } from '@chaperone/service-runtime';
import { DecideController } from './decide/decide.controller';
import { formatPolicyErrors, PolicyStore } from './rules';

const WATCH = Symbol('WATCH');

/** The policy service: loads the rules, watches them, and decides. */
@Module({})
export class PolicyModule implements OnApplicationShutdown {
  private readonly logger = new Logger('Policy');

  static forRoot(opts: { natsServers: string[]; store: PolicyStore; watch: boolean }): DynamicModule {
    return {
      module: PolicyModule,
      imports: [ServiceRuntimeModule.forRoot({ service: 'policy', natsServers: opts.natsServers })],
      controllers: [DecideController],
      providers: [
        { provide: PolicyStore, useValue: opts.store },
        { provide: WATCH, useValue: opts.watch },
      ],
    };
  }

  constructor(
    private readonly store: PolicyStore,
    @Inject(WATCH) watch: boolean,
    readiness: Readiness,
  ) {
    readiness.add('policy', () => ({ ok: true, detail: store.current.version }));
    this.logger.log(`policy ${store.current.version} loaded from ${store.path} (${store.current.rules.length} rules)`);
    if (watch) {
      store.watch((result) => {
        if (result.ok) this.logger.log(`policy reloaded: now ${result.version}`);
        else this.logger.error(`policy change refused, ${store.current.version} stays in force:\n${formatPolicyErrors(store.path, result.errors)}`);
      });
    }
    process.on('SIGHUP', () => {
      const result = store.reload();
      if (result.ok) this.logger.log(`policy reloaded on SIGHUP: now ${result.version}`);
      else this.logger.error(`policy reload refused:\n${formatPolicyErrors(store.path, result.errors)}`);
    });
  }

  onApplicationShutdown(): void {
    this.store.close();
  }
}
