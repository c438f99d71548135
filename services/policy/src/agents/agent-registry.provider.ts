import { Logger, type Provider } from '@nestjs/common';
import type { NatsConnection } from 'nats';
import type { BusSubjects } from '@chaperone/contracts';
import type { EventStoreKind } from '@chaperone/event-store';
import { BUS, NATS_CONNECTION, openServiceEventStore, Readiness, StartupError } from '@chaperone/service-runtime';
import { AgentsFileError } from './agents-file';
import { AgentRegistry, type AgentRegistryOptions } from './agent-registry-stream';

export const AGENT_REGISTRY = Symbol('AGENT_REGISTRY');

export interface AgentRegistryModuleOptions extends AgentRegistryOptions {
  eventStore: EventStoreKind;
  eventStoreConnection: string | undefined;
}

/**
 * The agent registry, or null when it is off (registration not required and no agents file):
 * then the policy service needs no event store at all.
 */
export function agentRegistryProvider(opts: AgentRegistryModuleOptions | undefined): Provider {
  return {
    provide: AGENT_REGISTRY,
    inject: [NATS_CONNECTION, BUS, Readiness],
    useFactory: async (nc: NatsConnection, subjects: BusSubjects, readiness: Readiness): Promise<AgentRegistry | null> => {
      if (!opts || (!opts.required && !opts.file)) return null;
      const store = await openServiceEventStore(opts, { nc, subjects });
      const logger = new Logger('AgentRegistry');
      const registry = new AgentRegistry(store, opts, logger);
      try {
        await registry.start();
      } catch (err) {
        if (err instanceof AgentsFileError) throw new StartupError(err.message);
        throw err;
      }
      readiness.add('agent-registry', () => ({ ok: registry.ready, detail: `${registry.agents.size} agents` }));
      logger.log(`agent registry: ${registry.agents.size} agents; unregistered agents are ${opts.required ? 'refused' : 'allowed (CHAPERONE_REQUIRE_REGISTERED_AGENTS=false)'}`);
      return registry;
    },
  };
}
