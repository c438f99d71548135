import type { RequestInfo } from '@chaperone/contracts';
import { kubectlEquivalent, shellQuote } from './kubectl-command';

function res(verb: string, resource: string, o: { ns?: string; name?: string; sub?: string; group?: string } = {}): RequestInfo {
  return {
    isResourceRequest: true,
    path: '/x',
    verb: verb as 'get',
    apiPrefix: o.group ? 'apis' : 'api',
    apiGroup: o.group ?? '',
    apiVersion: 'v1',
    namespace: o.ns ?? '',
    resource,
    subresource: o.sub ?? '',
    name: o.name ?? '',
    parts: [],
  };
}
const cmd = (info: RequestInfo, query = '', path = '/x', method = 'GET') => kubectlEquivalent({ method, path, query, info });

describe('kubectlEquivalent', () => {
  it.each([
    [res('list', 'pods', { ns: 'default' }), '', 'kubectl get pods -n default'],
    [res('list', 'pods'), '', 'kubectl get pods -A'],
    [res('list', 'nodes'), '', 'kubectl get nodes'],
    [res('list', 'pods', { ns: 'demo' }), 'labelSelector=app%3Dweb', 'kubectl get pods -n demo -l app=web'],
    [res('get', 'secrets', { ns: 'default', name: 'db-credentials' }), '', 'kubectl get secrets db-credentials -n default'],
    [res('get', 'deployments', { ns: 'default', name: 'web', group: 'apps' }), '', 'kubectl get deployments web -n default'],
    [res('get', 'certificates', { ns: 'default', name: 'c', group: 'cert-manager.io' }), '', 'kubectl get certificates.cert-manager.io c -n default'],
    [res('watch', 'pods', { ns: 'default' }), 'watch=true', 'kubectl get pods -n default --watch'],
    [res('watch', 'pods', { ns: 'default' }), 'fieldSelector=metadata.name%3Dworker-0&watch=true', 'kubectl get pods worker-0 -n default --watch'],
    [res('delete', 'pods', { ns: 'demo', name: 'x' }), '', 'kubectl delete pods x -n demo'],
    [res('deletecollection', 'pods', { ns: 'demo' }), '', 'kubectl delete pods --all -n demo'],
    [res('get', 'pods', { ns: 'default', name: 'x', sub: 'log' }), 'follow=true&container=app', 'kubectl logs x -n default -c app -f'],
    [res('create', 'pods', { ns: 'default', name: 'x', sub: 'exec' }), 'command=ls&command=-l&container=c&stdin=true&tty=true', 'kubectl exec -it x -n default -c c -- ls -l'],
    [res('create', 'pods', { ns: 'default', name: 'x', sub: 'portforward' }), 'ports=8080', 'kubectl port-forward pods/x 8080 -n default'],
    [res('get', 'deployments', { ns: 'default', name: 'web', group: 'apps', sub: 'scale' }), '', 'kubectl get deployments web -n default --subresource=scale'],
  ])('%#: %j %s → %s', (info, query, expected) => {
    expect(cmd(info, query).command).toBe(expected);
  });

  it('says what it cannot know: the body of a scale, a patch, a create', () => {
    const scale = cmd(res('patch', 'deployments', { ns: 'demo', name: 'web', group: 'apps', sub: 'scale' }));
    expect(scale.command).toBe('kubectl scale deployments/web -n demo --replicas=?');
    expect(scale.notes.join()).toMatch(/replica count .* not in the evidence/);
    expect(cmd(res('patch', 'deployments', { ns: 'demo', name: 'web', group: 'apps' })).command).toBe("kubectl patch deployments web -n demo -p '<patch>'");
    expect(cmd(res('create', 'configmaps', { ns: 'demo' })).command).toBe('kubectl create -n demo -f - # configmaps');
    expect(cmd(res('create', 'configmaps', { ns: 'demo' })).notes.join()).toMatch(/body is not in the evidence/);
  });

  it('shows requests without a kubectl verb of their own as --raw, and discovery as such', () => {
    expect(cmd(res('create', 'pods', { ns: 'd', name: 'x', sub: 'eviction' }), '', '/api/v1/namespaces/d/pods/x/eviction').command).toBe(
      'kubectl create --raw /api/v1/namespaces/d/pods/x/eviction',
    );
    expect(cmd({ isResourceRequest: false, path: '/version', verb: 'get' }, '', '/version').command).toBe('kubectl version');
    const disc = cmd({ isResourceRequest: false, path: '/apis', verb: 'get' }, '', '/apis');
    expect(disc.command).toBe('kubectl get --raw /apis');
    expect(disc.notes.join()).toMatch(/discovery/);
  });

  it('quotes words a shell would split or expand, and only those', () => {
    expect(shellQuote('pods')).toBe('pods');
    expect(shellQuote('a b')).toBe("'a b'");
    expect(shellQuote("it's")).toBe(`'it'\\''s'`);
    expect(shellQuote('$(rm -rf /)')).toBe("'$(rm -rf /)'");
    expect(cmd(res('create', 'pods', { ns: 'default', name: 'x', sub: 'exec' }), 'command=sh&command=-c&command=echo%20%24HOME').command).toBe(
      "kubectl exec x -n default -- sh -c 'echo $HOME'",
    );
  });
});
