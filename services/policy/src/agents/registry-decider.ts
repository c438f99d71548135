import { canonicalJson } from '@chaperone/evidence-chain';
import type { AgentRegistration, AgentRegistryEvent } from '@chaperone/contracts';

/** The registry as its events leave it: every registered agent by name. */
export type RegistryState = ReadonlyMap<string, AgentRegistration>;
export const initialRegistry: RegistryState = new Map();

export function evolve(state: RegistryState, event: AgentRegistryEvent): RegistryState {
  const next = new Map(state);
  switch (event.type) {
    case 'AgentRegistered':
    case 'AgentUpdated':
      next.set(event.agent, { agent: event.agent, owner: event.owner, purpose: event.purpose, scope: event.scope, ...(event.limits ? { limits: event.limits } : {}) });
      return next;
    case 'AgentRemoved':
      next.delete(event.agent);
      return next;
    default: {
      const unhandled: never = event;
      throw new Error(`unknown registry event ${JSON.stringify(unhandled)}`);
    }
  }
}

/** Make the registry say what the agents file says. */
export interface ApplyAgentsFile {
  type: 'ApplyAgentsFile';
  agents: readonly AgentRegistration[];
  /** e.g. `file:/etc/chaperone/agents.yaml sha256:…` */
  source: string;
  time: string;
}

/**
 * The events that bring the registry from `state` to the file's content, in a stable order
 * (agent name): new agents are registered, changed ones updated, missing ones removed. An
 * unchanged file yields none, so applying it again (a restart, a second replica) stores nothing.
 */
export function decide(command: ApplyAgentsFile, state: RegistryState): AgentRegistryEvent[] {
  const envelope = { schemaVersion: 1 as const, time: command.time, source: command.source };
  const wanted = new Map(command.agents.map((a) => [a.agent, a]));
  const names = [...new Set([...state.keys(), ...wanted.keys()])].sort();
  const events: AgentRegistryEvent[] = [];
  for (const name of names) {
    const current = state.get(name);
    const target = wanted.get(name);
    if (target && !current) events.push({ ...envelope, type: 'AgentRegistered', ...target });
    else if (target && current && canonicalJson(target) !== canonicalJson(current)) events.push({ ...envelope, type: 'AgentUpdated', ...target });
    else if (!target && current) events.push({ ...envelope, type: 'AgentRemoved', agent: name, owner: current.owner });
  }
  return events;
}
