import { Inject, Logger, Module, type DynamicModule, type OnApplicationShutdown } from '@nestjs/common';
import type { DurableEventPublisher } from '@chaperone/bus';
import { EVENTS, Readiness, ServiceRuntimeModule, type RuntimeOptions } from '@chaperone/service-runtime';
import { AGENT_REGISTRY, agentRegistryProvider, type AgentRegistry, type AgentRegistryModuleOptions } from './agents';
import { EvaluateHandler } from './evaluate/evaluate-handler';
import { PolicyMetrics } from './metrics/policy-metrics';
import { EvaluateResponder } from './evaluate/evaluate-responder';
import { formatPolicyErrors, PolicyStore } from './rules';

const WATCH = Symbol('WATCH');

/** The policy service: loads the rules and the agent registry, watches them, and evaluates every request. */
@Module({})
export class PolicyModule implements OnApplicationShutdown {
  private readonly logger = new Logger('Policy');

  static forRoot(opts: {
    runtime: RuntimeOptions;
    store: PolicyStore;
    watch: boolean;
    /** Agents as registered identities; unset: no registry (every authenticated agent may ask). */
    agents?: AgentRegistryModuleOptions;
  }): DynamicModule {
    return {
      module: PolicyModule,
      imports: [ServiceRuntimeModule.forRoot(opts.runtime)],
      providers: [
        { provide: PolicyStore, useValue: opts.store },
        { provide: WATCH, useValue: opts.watch },
        agentRegistryProvider(opts.agents),
        {
          provide: EvaluateHandler,
          inject: [PolicyStore, EVENTS, AGENT_REGISTRY],
          useFactory: (store: PolicyStore, events: DurableEventPublisher, agents: AgentRegistry | null) =>
            new EvaluateHandler(store, events, undefined, agents ?? undefined),
        },
        PolicyMetrics,
        EvaluateResponder,
      ],
    };
  }

  constructor(
    private readonly store: PolicyStore,
    @Inject(AGENT_REGISTRY) private readonly agents: AgentRegistry | null,
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
      // The agents file too; an invalid one is refused and the registry stays as it is.
      this.agents?.applyFile().then(
        (stored) => this.logger.log(`agents file re-applied on SIGHUP: ${stored} registry change(s)`),
        (err: unknown) => this.logger.error(`agents file not applied on SIGHUP: ${err instanceof Error ? err.message : String(err)}`),
      );
    });
  }

  async onApplicationShutdown(): Promise<void> {
    this.store.close();
    await this.agents?.close();
  }
}
