import type { AgentScope, RequestInfo } from '@chaperone/contracts';

/**
 * Is the request inside the agent's registered scope? Non-resource requests (discovery) are not
 * limited by a scope. Cluster-scoped and all-namespace requests need namespace `*`. API groups
 * and resources follow RBAC: `""` is the core group (no apiGroups: any group); `pods` does not
 * cover `pods/exec`; `pods/*` covers every subresource of pods.
 */
export function withinScope(scope: AgentScope, request: RequestInfo): boolean {
  if (!request.isResourceRequest) return true;
  const any = (list: readonly string[], value: string) => list.includes('*') || list.includes(value);
  if (!any(scope.verbs, request.verb)) return false;
  if (scope.apiGroups !== undefined && !any(scope.apiGroups, request.apiGroup)) return false;
  if (!(scope.namespaces.includes('*') || (request.namespace !== '' && scope.namespaces.includes(request.namespace)))) return false;
  const resource = request.subresource ? `${request.resource}/${request.subresource}` : request.resource;
  return any(scope.resources, resource) || (request.subresource !== '' && scope.resources.includes(`${request.resource}/*`));
}

/** "delete deployments.apps in namespace kube-system", for refusal messages. */
export function describeScopeMiss(scope: AgentScope, request: RequestInfo): string {
  if (!request.isResourceRequest) return request.path;
  const resource = (request.apiGroup ? `${request.resource}.${request.apiGroup}` : request.resource) + (request.subresource ? `/${request.subresource}` : '');
  const where = request.namespace ? `namespace ${request.namespace}` : 'all namespaces / cluster scope';
  const groups = scope.apiGroups ? `; apiGroups ${scope.apiGroups.map((g) => (g === '' ? '""' : g)).join(',')}` : '';
  return `${request.verb} ${resource} in ${where} (registered scope: verbs ${scope.verbs.join(',')}${groups}; resources ${scope.resources.join(',')}; namespaces ${scope.namespaces.join(',')})`;
}
