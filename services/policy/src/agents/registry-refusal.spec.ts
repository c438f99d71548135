import { AgentRegistryRules, type AgentRegistration, type Identity, type RequestInfo } from '@chaperone/contracts';
import { registryRefusal } from './registry-refusal';

const request = (verb: string, namespace: string): RequestInfo => ({
  isResourceRequest: true,
  path: '/x',
  verb: verb as 'get',
  apiPrefix: 'api',
  apiGroup: '',
  apiVersion: 'v1',
  namespace,
  resource: 'pods',
  subresource: '',
  name: '',
  parts: [],
});
const identity = { agent: 'bot\u0007', subject: 's', username: 'u', groups: [] } as unknown as Identity;
const registration: AgentRegistration = { agent: 'bot\u0007', owner: 'alice', purpose: 'p', scope: { namespaces: ['default'], verbs: ['get'], resources: ['pods'] } };

describe('registry refusal', () => {
  it('given the registry is not loaded, when registration is required, then every agent is refused (fail closed); else nothing is refused', () => {
    expect(registryRefusal({ loaded: false, required: true, registration }, identity, request('get', 'default'), 'v')).toMatchObject({ effect: 'deny', rule: AgentRegistryRules.unavailable, policyVersion: 'v' });
    expect(registryRefusal({ loaded: false, required: false, registration: undefined }, identity, request('get', 'default'), 'v')).toBeUndefined();
  });

  it('given an unregistered agent, then it is refused only when registration is required, its name quoted with control characters escaped', () => {
    const refused = registryRefusal({ loaded: true, required: true, registration: undefined }, identity, request('get', 'default'), 'v');
    expect(refused).toMatchObject({ effect: 'deny', rule: AgentRegistryRules.unregistered, record: 'none' });
    expect(refused?.reason).toContain('"bot\\u0007"');
    expect(registryRefusal({ loaded: true, required: false, registration: undefined }, identity, request('get', 'default'), 'v')).toBeUndefined();
  });

  it('given a registered agent, then it is held to its scope whether or not registration is required', () => {
    expect(registryRefusal({ loaded: true, required: false, registration }, identity, request('get', 'default'), 'v')).toBeUndefined();
    const refused = registryRefusal({ loaded: true, required: false, registration }, identity, request('delete', 'default'), 'v');
    expect(refused).toMatchObject({ effect: 'deny', rule: AgentRegistryRules.outOfScope });
    expect(refused?.reason).toContain('(owner alice) is not registered to delete pods in namespace default');
  });
});
