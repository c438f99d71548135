import { fromAggregated, fromResourceList, ResourceIndex, typeName, UnknownResource } from './resource-index';

// Shaped like a 1.32 API server's aggregated discovery (/api and /apis), trimmed.
const CORE = {
  kind: 'APIGroupDiscoveryList',
  items: [
    {
      metadata: {},
      versions: [
        {
          version: 'v1',
          resources: [
            { resource: 'pods', singularResource: 'pod', responseKind: { kind: 'Pod' }, scope: 'Namespaced', shortNames: ['po'], verbs: ['get', 'list', 'delete'], subresources: [{ subresource: 'log' }, { subresource: 'exec' }] },
            { resource: 'namespaces', singularResource: 'namespace', responseKind: { kind: 'Namespace' }, scope: 'Cluster', shortNames: ['ns'], verbs: ['get'] },
            { resource: 'events', singularResource: 'event', responseKind: { kind: 'Event' }, scope: 'Namespaced', shortNames: ['ev'], verbs: ['list'] },
          ],
        },
      ],
    },
  ],
};
const GROUPS = {
  kind: 'APIGroupDiscoveryList',
  items: [
    {
      metadata: { name: 'apps' },
      versions: [
        { version: 'v1', resources: [{ resource: 'deployments', singularResource: 'deployment', responseKind: { kind: 'Deployment' }, scope: 'Namespaced', shortNames: ['deploy'], subresources: [{ subresource: 'scale' }] }] },
      ],
    },
    {
      metadata: { name: 'events.k8s.io' },
      versions: [{ version: 'v1', resources: [{ resource: 'events', singularResource: 'event', responseKind: { kind: 'Event' }, scope: 'Namespaced', shortNames: ['ev'] }] }],
    },
    {
      metadata: { name: 'example.com' },
      versions: [
        { version: 'v2', resources: [{ resource: 'widgets', singularResource: 'widget', responseKind: { kind: 'Widget' }, scope: 'Namespaced' }] },
        { version: 'v1', resources: [{ resource: 'widgets', singularResource: 'widget', responseKind: { kind: 'Widget' }, scope: 'Namespaced' }] },
      ],
    },
  ],
};

const index = new ResourceIndex([...fromAggregated(CORE), ...fromAggregated(GROUPS)]);

describe('resolving a resource argument the way kubectl does', () => {
  it.each([
    ['pods', '', 'pods'],
    ['pod', '', 'pods'],
    ['po', '', 'pods'],
    ['Pod', '', 'pods'],
    ['deploy', 'apps', 'deployments'],
    ['deployments.apps', 'apps', 'deployments'],
    ['Deployment', 'apps', 'deployments'],
    ['ns', '', 'namespaces'],
  ])('%s names %s/%s', (input, group, resource) => {
    expect(index.resolve(input)).toMatchObject({ group, resource });
  });

  it('prefers the core group when two groups serve a name (events, not events.k8s.io), unless the group is named', () => {
    expect(index.resolve('events')).toMatchObject({ group: '' });
    expect(index.resolve('events.events.k8s.io')).toMatchObject({ group: 'events.k8s.io' });
  });

  it('takes the preferred (first listed) version of a group', () => {
    expect(index.resolve('widgets')).toMatchObject({ version: 'v2', preferred: true });
  });

  it('keeps scope and subresources', () => {
    expect(index.resolve('namespaces').namespaced).toBe(false);
    expect(index.resolve('deploy').subresources).toEqual(['scale']);
  });

  it('refuses what is not served, naming it', () => {
    expect(() => index.resolve('gizmos')).toThrow(UnknownResource);
    expect(() => index.resolve('deployments.batch')).toThrow(/in the API group "batch"/);
  });

  it('finds the resource of a manifest kind in exactly its apiVersion', () => {
    expect(index.byKind('apps/v1', 'Deployment')).toMatchObject({ resource: 'deployments' });
    expect(index.byKind('example.com/v1', 'Widget')).toMatchObject({ version: 'v1', preferred: false });
    expect(() => index.byKind('apps/v1beta1', 'Deployment')).toThrow(UnknownResource);
  });

  it('names types like kubectl in messages', () => {
    expect(typeName(index.resolve('deploy'))).toBe('deployment.apps');
    expect(typeName(index.resolve('po'))).toBe('pod');
  });
});

describe('legacy discovery (APIResourceList)', () => {
  it('folds subresources into their resource and reads scope', () => {
    const list = fromResourceList(
      {
        kind: 'APIResourceList',
        groupVersion: 'apps/v1',
        resources: [
          { name: 'deployments', singularName: 'deployment', namespaced: true, kind: 'Deployment', shortNames: ['deploy'], verbs: ['get'] },
          { name: 'deployments/scale', namespaced: true, kind: 'Scale' },
          { name: 'deployments/status', namespaced: true, kind: 'Deployment' },
        ],
      },
      true,
    );
    expect(list).toEqual([expect.objectContaining({ group: 'apps', version: 'v1', resource: 'deployments', namespaced: true, subresources: ['scale', 'status'] })]);
  });
});
