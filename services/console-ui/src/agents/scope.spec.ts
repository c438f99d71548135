import { scopeText } from './scope';

describe('an agent scope as people read it', () => {
  it('names verbs, resources, API groups (the core group by name) and namespaces', () => {
    expect(scopeText({ namespaces: ['default'], verbs: ['get', 'list'], apiGroups: ['', 'apps'], resources: ['pods', 'deployments'] })).toBe('get, list on pods, deployments (API groups: core, apps) in default');
    expect(scopeText({ namespaces: ['a', 'b'], verbs: ['*'], resources: ['*'] })).toBe('* on * in a, b');
  });

  it('says when there is no registered scope', () => {
    expect(scopeText(null)).toBe('no registered scope');
  });
});
