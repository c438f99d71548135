import type { AgentRegistration, AgentRegistryEvent } from '@chaperone/contracts';
import { decide, evolve, initialRegistry, type RegistryState } from './registry-decider';

const scope = { namespaces: ['default'], verbs: ['get', 'list'], resources: ['pods'] };
const reg = (agent: string, extra: Partial<AgentRegistration> = {}): AgentRegistration => ({ agent, owner: 'alice@example.com', purpose: 'triage', scope, ...extra });
const apply = (agents: AgentRegistration[], state: RegistryState) =>
  decide({ type: 'ApplyAgentsFile', agents, source: 'file:/agents.yaml sha256:x', time: '2026-01-01T00:00:00.000Z' }, state);
const given = (events: AgentRegistryEvent[]) => events.reduce(evolve, initialRegistry);
const envelope = { schemaVersion: 1, source: 'file:/agents.yaml sha256:x', time: '2026-01-01T00:00:00.000Z' } as const;

describe('agent registry decider', () => {
  it('given an empty registry, when a file names two agents, then both are registered, in name order', () => {
    expect(apply([reg('b-bot'), reg('a-bot')], initialRegistry)).toEqual([
      { ...envelope, type: 'AgentRegistered', ...reg('a-bot') },
      { ...envelope, type: 'AgentRegistered', ...reg('b-bot') },
    ]);
  });

  it('given the file was applied, when it is applied again, then nothing happens', () => {
    const state = given(apply([reg('a-bot'), reg('b-bot')], initialRegistry));
    expect(apply([reg('b-bot'), reg('a-bot')], state)).toEqual([]);
  });

  it('given registered agents, when one changes scope and one is gone from the file, then it is updated and the other removed', () => {
    const state = given(apply([reg('a-bot'), reg('b-bot', { owner: 'bob@example.com' })], initialRegistry));
    const wider = { ...scope, verbs: ['get', 'list', 'delete'] };
    expect(apply([reg('a-bot', { scope: wider })], state)).toEqual([
      { ...envelope, type: 'AgentUpdated', ...reg('a-bot', { scope: wider }) },
      { ...envelope, type: 'AgentRemoved', agent: 'b-bot', owner: 'bob@example.com' },
    ]);
  });

  it('evolve: registered, updated and removed agents', () => {
    const state = given([
      { ...envelope, type: 'AgentRegistered', ...reg('a-bot') },
      { ...envelope, type: 'AgentUpdated', ...reg('a-bot', { purpose: 'deploys' }) },
      { ...envelope, type: 'AgentRegistered', ...reg('b-bot') },
      { ...envelope, type: 'AgentRemoved', agent: 'b-bot', owner: 'alice@example.com' },
    ]);
    expect([...state.values()]).toEqual([reg('a-bot', { purpose: 'deploys' })]);
  });
});
