import type { RequestInfo, ResourceRequestInfo } from '@chaperone/contracts';

/** What a replay shows for one request: the kubectl command that sends it, and what it cannot know. */
export interface KubectlEquivalent {
  command: string;
  /** What the command leaves out because the evidence does not hold it (bodies, output format). */
  notes: string[];
}

/** Resources kubectl needs no namespace for; a list of anything else without a namespace is `-A`. */
const CLUSTER_SCOPED: ReadonlySet<string> = new Set([
  'nodes', 'namespaces', 'persistentvolumes', 'clusterroles', 'clusterrolebindings', 'customresourcedefinitions',
  'storageclasses', 'priorityclasses', 'apiservices', 'mutatingwebhookconfigurations', 'validatingwebhookconfigurations',
  'certificatesigningrequests', 'ingressclasses', 'runtimeclasses', 'csidrivers', 'csinodes', 'volumeattachments',
  'componentstatuses', 'tokenreviews', 'subjectaccessreviews', 'selfsubjectaccessreviews', 'selfsubjectrulesreviews',
]);

/** Groups whose resources kubectl resolves without the group suffix (no name clash in a default cluster). */
const SHORT_GROUPS: ReadonlySet<string> = new Set(['', 'apps', 'batch', 'autoscaling', 'policy', 'networking.k8s.io', 'rbac.authorization.k8s.io']);

const SAFE_WORD = /^[A-Za-z0-9_./:=@%+,-]+$/;

/** Quote for a POSIX shell only when needed: the command should read like what a person typed. */
export function shellQuote(word: string): string {
  if (word !== '' && SAFE_WORD.test(word)) return word;
  return `'${word.replace(/'/g, `'\\''`)}'`;
}

function params(query: string): URLSearchParams {
  return new URLSearchParams(query);
}

function resourceName(info: ResourceRequestInfo): string {
  return SHORT_GROUPS.has(info.apiGroup) ? info.resource : `${info.resource}.${info.apiGroup}`;
}

function namespaceFlags(info: ResourceRequestInfo, listing: boolean): string[] {
  if (info.namespace) return ['-n', info.namespace];
  if (listing && !CLUSTER_SCOPED.has(info.resource)) return ['-A'];
  return [];
}

function selectorFlags(q: URLSearchParams): string[] {
  const out: string[] = [];
  const label = q.get('labelSelector');
  if (label) out.push('-l', label);
  const field = q.get('fieldSelector');
  if (field && !/^metadata\.name=[^,]+$/.test(field)) out.push('--field-selector', field);
  return out;
}

/** A watch of one object is sent as a list with fieldSelector=metadata.name=<name>. */
function watchedName(info: ResourceRequestInfo, q: URLSearchParams): string {
  if (info.name) return info.name;
  const m = /^metadata\.name=([^,]+)$/.exec(q.get('fieldSelector') ?? '');
  return m?.[1] ?? '';
}

function raw(verb: 'get' | 'create' | 'replace' | 'delete', path: string, query: string): string {
  return `kubectl ${verb} --raw ${shellQuote(query ? `${path}?${query}` : path)}`;
}

export const BODY_NOT_RECORDED = 'the request body is not in the evidence (only its digest, when the policy records it)';

/**
 * The kubectl command that sends this request, derived from the request attributes the gateway
 * recorded (RequestInfo, path, query). Pure. Not every request has a kubectl verb of its own:
 * those are shown as `kubectl <verb> --raw <path>`, which sends the same HTTP request.
 */
export function kubectlEquivalent(input: { method: string; path: string; query: string; info: RequestInfo | null }): KubectlEquivalent {
  const { info, path, query } = input;
  if (!info) return { command: `# ${input.method || '?'} ${path || '?'} (not intercepted: no request attributes)`, notes: [] };
  if (!info.isResourceRequest) {
    if (path === '/version') return { command: 'kubectl version', notes: [] };
    if (/^\/(api|apis)(\/|$)/.test(path) || path.startsWith('/openapi/')) {
      return { command: raw('get', path, query), notes: ['discovery: kubectl sends this before most commands'] };
    }
    return { command: info.verb === 'get' ? raw('get', path, query) : `# ${input.method} ${path}`, notes: [] };
  }
  return resourceCommand(info, params(query), path, query);
}

function resourceCommand(info: ResourceRequestInfo, q: URLSearchParams, path: string, query: string): KubectlEquivalent {
  const ns = namespaceFlags(info, info.verb === 'list' || info.verb === 'watch' || info.verb === 'deletecollection');
  const res = resourceName(info);
  const words = (...w: string[]) => ['kubectl', ...w].map((x, i) => (i === 0 ? x : shellQuote(x))).join(' ');
  if (info.subresource) return subresourceCommand(info, q, ns, res, path, query, words);
  switch (info.verb) {
    case 'get':
      return { command: words('get', res, info.name, ...ns), notes: [] };
    case 'list':
      return { command: words('get', res, ...ns, ...selectorFlags(q)), notes: [] };
    case 'watch': {
      const name = watchedName(info, q);
      return { command: words('get', res, ...(name ? [name] : []), ...ns, ...selectorFlags(q), '--watch'), notes: [] };
    }
    case 'create':
      return { command: `${words('create', ...ns, '-f')} - # ${res}`, notes: [BODY_NOT_RECORDED] };
    case 'update':
      return { command: `${words('replace', ...ns, '-f')} - # ${res}/${info.name}`, notes: [BODY_NOT_RECORDED] };
    case 'patch':
      return { command: `${words('patch', res, info.name, ...ns, '-p')} '<patch>'`, notes: [BODY_NOT_RECORDED] };
    case 'delete':
      return { command: words('delete', res, info.name, ...ns), notes: [] };
    case 'deletecollection':
      return { command: words('delete', res, ...(selectorFlags(q).length ? selectorFlags(q) : ['--all']), ...ns), notes: [] };
    default: {
      const unhandled: never = info.verb;
      return { command: `# ${String(unhandled)} ${path}`, notes: [] };
    }
  }
}

function subresourceCommand(
  info: ResourceRequestInfo,
  q: URLSearchParams,
  ns: string[],
  res: string,
  path: string,
  query: string,
  words: (...w: string[]) => string,
): KubectlEquivalent {
  const container = q.get('container');
  const c = container ? ['-c', container] : [];
  switch (info.subresource) {
    case 'log': {
      const flags = [...c];
      if (q.get('follow') === 'true') flags.push('-f');
      if (q.get('previous') === 'true') flags.push('--previous');
      if (q.get('tailLines')) flags.push(`--tail=${q.get('tailLines')}`);
      if (q.get('timestamps') === 'true') flags.push('--timestamps');
      const target = info.resource === 'pods' ? info.name : `${res}/${info.name}`;
      return { command: words('logs', target, ...ns, ...flags), notes: [] };
    }
    case 'exec': {
      const interactive = [q.get('stdin') === 'true' ? 'i' : '', q.get('tty') === 'true' ? 't' : ''].join('');
      const cmd = q.getAll('command');
      return {
        command: [words('exec', ...(interactive ? [`-${interactive}`] : []), info.name, ...ns, ...c), ...(cmd.length ? ['--', ...cmd.map(shellQuote)] : [])].join(' '),
        notes: ['the session\'s bytes are not recorded'],
      };
    }
    case 'attach':
      return { command: words('attach', info.name, ...ns, ...c), notes: ['the session\'s bytes are not recorded'] };
    case 'portforward': {
      const ports = q.getAll('ports');
      return { command: words('port-forward', `pods/${info.name}`, ...ports, ...ns), notes: [] };
    }
    case 'scale':
      if (info.verb === 'get') return { command: words('get', res, info.name, ...ns, '--subresource=scale'), notes: [] };
      return {
        command: `${words('scale', `${res}/${info.name}`, ...ns)} --replicas=?`,
        notes: ['the replica count is in the request body, which is not in the evidence'],
      };
    case 'status':
      if (info.verb === 'get') return { command: words('get', res, info.name, ...ns, '--subresource=status'), notes: [] };
      if (info.verb === 'patch') return { command: `${words('patch', res, info.name, ...ns, '--subresource=status', '-p')} '<patch>'`, notes: [BODY_NOT_RECORDED] };
      return { command: raw('replace', path, query), notes: [BODY_NOT_RECORDED] };
    default: {
      const verb = info.verb === 'get' || info.verb === 'list' || info.verb === 'watch' ? 'get' : info.verb === 'create' ? 'create' : info.verb === 'update' ? 'replace' : info.verb === 'delete' ? 'delete' : undefined;
      return verb ? { command: raw(verb, path, query), notes: verb === 'get' || verb === 'delete' ? [] : [BODY_NOT_RECORDED] } : { command: `# ${info.verb} ${path}`, notes: [] };
    }
  }
}
