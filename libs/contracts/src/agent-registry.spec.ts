import { AgentRegistrationSchema, AgentRegistryEventSchema, ChainCheckpointedSchema, CHAIN_CHECKPOINTED } from './index';

const registration = {
  agent: 'deploy-bot',
  owner: 'alice@example.com',
  purpose: 'rolls out releases',
  scope: { namespaces: ['prod'], verbs: ['get', 'patch'], resources: ['deployments'] },
};

describe('agent registry and checkpoint contracts', () => {
  it('accepts a registration and discriminates registry events by type', () => {
    expect(AgentRegistrationSchema.parse(registration)).toEqual(registration);
    const envelope = { schemaVersion: 1, time: '2026-01-01T00:00:00Z', source: 'file:/agents.yaml sha256:x' };
    expect(AgentRegistryEventSchema.parse({ ...envelope, type: 'AgentRegistered', ...registration }).type).toBe('AgentRegistered');
    expect(AgentRegistryEventSchema.parse({ ...envelope, type: 'AgentRemoved', agent: 'deploy-bot', owner: 'alice@example.com' }).type).toBe('AgentRemoved');
  });

  it.each([
    ['an unknown member (a token has no place here)', { ...registration, token: 'x' }],
    ['an empty scope list', { ...registration, scope: { ...registration.scope, verbs: [] } }],
    ['a name with spaces', { ...registration, agent: 'deploy bot' }],
    ['no owner', { ...registration, owner: '' }],
  ])('refuses %s', (_name, value) => {
    expect(AgentRegistrationSchema.safeParse(value).success).toBe(false);
  });

  it('a checkpoint event carries signed heads of sha256 links', () => {
    const cp = { at: '2026-01-01T00:00:00Z', keyId: 'ed25519:0123', signature: 'c2ln', heads: { 'session-a': { revision: 3, hash: `sha256:${'a'.repeat(64)}` } } };
    expect(ChainCheckpointedSchema.parse({ type: CHAIN_CHECKPOINTED, schemaVersion: 1, checkpoint: cp, throughPosition: 9 }).checkpoint.heads['session-a']?.revision).toBe(3);
    expect(ChainCheckpointedSchema.safeParse({ type: CHAIN_CHECKPOINTED, schemaVersion: 1, checkpoint: { ...cp, heads: { s: { revision: 1, hash: 'md5:x' } } }, throughPosition: 9 }).success).toBe(false);
  });
});
