/** The resource types this test double serves, described once and used by discovery, CRUD and tables. */
export interface SubresourceDef {
  name: string;
  kind: string;
  /** Set when the subresource answers with another group's kind (deployments/scale -> autoscaling/v1 Scale). */
  group?: string;
  version?: string;
  verbs: string[];
}

export interface ResourceDef {
  group: string; // '' = core
  version: string;
  resource: string; // plural, e.g. pods
  singular: string;
  kind: string;
  namespaced: boolean;
  shortNames: string[];
  categories: string[];
  verbs: string[];
  subresources: SubresourceDef[];
  storageVersionHash: string;
}

const CRUD = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'];
const STATUS = (kind: string): SubresourceDef => ({ name: 'status', kind, verbs: ['get', 'patch', 'update'] });

/** An apps/v1 kind with a pod template: a scale subresource (autoscaling/v1 Scale) and a status. */
function workload(resource: string, singular: string, kind: string, shortName: string, storageVersionHash: string): ResourceDef {
  return {
    group: 'apps', version: 'v1', resource, singular, kind, namespaced: true, shortNames: [shortName], categories: ['all'], verbs: CRUD,
    subresources: [{ name: 'scale', kind: 'Scale', group: 'autoscaling', version: 'v1', verbs: ['get', 'patch', 'update'] }, STATUS(kind)],
    storageVersionHash,
  };
}

export const RESOURCES: ResourceDef[] = [
  {
    group: '', version: 'v1', resource: 'configmaps', singular: 'configmap', kind: 'ConfigMap', namespaced: true,
    shortNames: ['cm'], categories: [], verbs: CRUD, subresources: [], storageVersionHash: 'qFsyl6wFWjQ=',
  },
  {
    // Core events, as kubectl describe and kubectl get events read them (field selectors on involvedObject).
    group: '', version: 'v1', resource: 'events', singular: 'event', kind: 'Event', namespaced: true,
    shortNames: ['ev'], categories: [], verbs: CRUD, subresources: [], storageVersionHash: 'r2yiGXH7wu8=',
  },
  {
    group: '', version: 'v1', resource: 'namespaces', singular: 'namespace', kind: 'Namespace', namespaced: false,
    shortNames: ['ns'], categories: [], verbs: ['create', 'delete', 'get', 'list', 'patch', 'update', 'watch'],
    subresources: [{ name: 'finalize', kind: 'Namespace', verbs: ['update'] }, STATUS('Namespace')],
    storageVersionHash: 'Q3oi5N2YM8M=',
  },
  {
    group: '', version: 'v1', resource: 'pods', singular: 'pod', kind: 'Pod', namespaced: true,
    shortNames: ['po'], categories: ['all'], verbs: CRUD,
    subresources: [
      { name: 'attach', kind: 'PodAttachOptions', verbs: ['create', 'get'] },
      { name: 'exec', kind: 'PodExecOptions', verbs: ['create', 'get'] },
      { name: 'log', kind: 'Pod', verbs: ['get'] },
      { name: 'portforward', kind: 'PodPortForwardOptions', verbs: ['create', 'get'] },
      STATUS('Pod'),
    ],
    storageVersionHash: 'xPOwRZ+Yhw8=',
  },
  {
    group: '', version: 'v1', resource: 'secrets', singular: 'secret', kind: 'Secret', namespaced: true,
    shortNames: [], categories: [], verbs: CRUD, subresources: [], storageVersionHash: 'S6u1pOWzb84=',
  },
  {
    group: '', version: 'v1', resource: 'services', singular: 'service', kind: 'Service', namespaced: true,
    shortNames: ['svc'], categories: ['all'], verbs: CRUD, subresources: [STATUS('Service')],
    storageVersionHash: '0/CO1lhkEBI=',
  },
  workload('deployments', 'deployment', 'Deployment', 'deploy', '8aSe+NMegvE='),
  workload('replicasets', 'replicaset', 'ReplicaSet', 'rs', 'P1RzHs8/mWQ='),
  workload('statefulsets', 'statefulset', 'StatefulSet', 'sts', 'H+vl74LkKdo='),
  {
    // The same events as core v1 in the newer shape (regarding, note, reportingController); the
    // server keeps the two views in step (controllers/events-mirror.ts).
    group: 'events.k8s.io', version: 'v1', resource: 'events', singular: 'event', kind: 'Event', namespaced: true,
    shortNames: ['ev'], categories: [], verbs: CRUD, subresources: [], storageVersionHash: 'r2yiGXH7wu8=',
  },
];

export interface GroupVersion {
  group: string;
  version: string;
}

export function groupVersions(): GroupVersion[] {
  const seen = new Map<string, GroupVersion>();
  for (const r of RESOURCES) seen.set(`${r.group}/${r.version}`, { group: r.group, version: r.version });
  return [...seen.values()];
}

export function apiVersionOf(r: { group: string; version: string }): string {
  return r.group ? `${r.group}/${r.version}` : r.version;
}

/** How the server names a resource in messages: `pods`, `deployments.apps`. */
export function qualifiedName(r: ResourceDef): string {
  return r.group ? `${r.resource}.${r.group}` : r.resource;
}

/** The definition of a resource this server always serves (throws if it does not, a programming error). */
export function resourceOf(group: string, resource: string): ResourceDef {
  const r = RESOURCES.find((x) => x.group === group && x.resource === resource);
  if (!r) throw new Error(`no resource ${resource} in group "${group}"`);
  return r;
}

export function findResource(group: string, version: string, resource: string): ResourceDef | undefined {
  return RESOURCES.find((r) => r.group === group && r.version === version && r.resource === resource);
}
