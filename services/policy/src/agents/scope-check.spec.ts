import type { RequestInfo } from '@chaperone/contracts';
import { describeScopeMiss, withinScope } from './scope-check';

const resource = (verb: string, res: string, namespace = 'default', subresource = '', apiGroup = ''): RequestInfo => ({
  isResourceRequest: true,
  path: '/x',
  verb: verb as 'get',
  apiPrefix: apiGroup === '' ? 'api' : 'apis',
  apiGroup,
  apiVersion: 'v1',
  namespace,
  resource: res,
  subresource,
  name: '',
  parts: [],
});
const scope = { namespaces: ['default', 'team-a'], verbs: ['get', 'list'], resources: ['pods', 'pods/log', 'deployments/*'] };

describe('agent scope', () => {
  it.each([
    ['get pods in default', resource('get', 'pods'), true],
    ['list pods in team-a', resource('list', 'pods', 'team-a'), true],
    ['get pods/log', resource('get', 'pods', 'default', 'log'), true],
    ['get deployments/scale (deployments/*)', resource('get', 'deployments', 'default', 'scale'), true],
    ['delete pods (verb)', resource('delete', 'pods'), false],
    ['get pods in kube-system (namespace)', resource('get', 'pods', 'kube-system'), false],
    ['list pods across namespaces (needs *)', resource('list', 'pods', ''), false],
    ['get pods/exec (pods does not cover subresources)', resource('get', 'pods', 'default', 'exec'), false],
    ['get deployments (deployments/* is subresources only)', resource('get', 'deployments'), false],
    ['get secrets', resource('get', 'secrets'), false],
  ])('%s → %s', (_name, request, expected) => {
    expect(withinScope(scope, request)).toBe(expected);
  });

  it('"*" matches any verb, resource and namespace, including cluster scope; discovery is never limited', () => {
    const all = { namespaces: ['*'], verbs: ['*'], resources: ['*'] };
    expect(withinScope(all, resource('delete', 'nodes', ''))).toBe(true);
    expect(withinScope(all, resource('get', 'pods', 'x', 'exec'))).toBe(true);
    expect(withinScope(scope, { isResourceRequest: false, path: '/apis', verb: 'get' })).toBe(true);
  });

  describe('with apiGroups', () => {
    const grouped = { namespaces: ['default'], verbs: ['get'], apiGroups: ['', 'apps'], resources: ['pods', 'deployments', 'deployments/scale'] };
    it.each([
      ['core pods', resource('get', 'pods'), true],
      ['apps deployments', resource('get', 'deployments', 'default', '', 'apps'), true],
      ['apps deployments/scale', resource('get', 'deployments', 'default', 'scale', 'apps'), true],
      ['a custom resource named deployments in another group', resource('get', 'deployments', 'default', '', 'evil.example.com'), false],
      ['pods in a group not registered', resource('get', 'pods', 'default', '', 'metrics.k8s.io'), false],
    ])('%s → %s', (_name, request, expected) => {
      expect(withinScope(grouped, request)).toBe(expected);
    });
    it('"*" matches every group; without apiGroups any group matches (registrations made before the field)', () => {
      expect(withinScope({ ...grouped, apiGroups: ['*'] }, resource('get', 'deployments', 'default', '', 'evil.example.com'))).toBe(true);
      expect(withinScope(scope, resource('get', 'pods', 'default', '', 'metrics.k8s.io'))).toBe(true);
    });
    it('names the group in the miss', () => {
      expect(describeScopeMiss(grouped, resource('get', 'deployments', 'default', '', 'evil.example.com'))).toBe(
        'get deployments.evil.example.com in namespace default (registered scope: verbs get; apiGroups "",apps; resources pods,deployments,deployments/scale; namespaces default)',
      );
    });
  });

  it('describes the miss with the registered scope', () => {
    expect(describeScopeMiss(scope, resource('delete', 'pods', 'kube-system'))).toBe(
      'delete pods in namespace kube-system (registered scope: verbs get,list; resources pods,pods/log,deployments/*; namespaces default,team-a)',
    );
  });
});
