/** One served resource type, as discovery describes it. */
export interface ApiResource {
  group: string; // '' = core
  version: string;
  /** Plural, as in URLs: "pods". */
  resource: string;
  singular: string;
  kind: string;
  shortNames: string[];
  namespaced: boolean;
  verbs: string[];
  subresources: string[];
  /** The group's preferred version (the first listed). */
  preferred: boolean;
}

/** The name does not match any served resource (or is ambiguous in a way we refuse to guess). */
export class UnknownResource extends Error {
  override readonly name = 'UnknownResource';
}

type Doc = Record<string, unknown>;
const obj = (v: unknown): Doc => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Doc) : {});
const arr = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
const str = (v: unknown): string => (typeof v === 'string' ? v : '');
const strings = (v: unknown): string[] => arr(v).filter((x): x is string => typeof x === 'string');

/** Resources of an aggregated discovery document (apidiscovery.k8s.io APIGroupDiscoveryList) from /api or /apis. */
export function fromAggregated(doc: unknown): ApiResource[] {
  const out: ApiResource[] = [];
  for (const item of arr(obj(doc)['items'])) {
    const group = str(obj(obj(item)['metadata'])['name']);
    arr(obj(item)['versions']).forEach((v, i) => {
      const version = str(obj(v)['version']);
      for (const r of arr(obj(v)['resources'])) {
        const d = obj(r);
        out.push({
          group,
          version,
          resource: str(d['resource']),
          singular: str(d['singularResource']),
          kind: str(obj(d['responseKind'])['kind']),
          shortNames: strings(d['shortNames']),
          namespaced: d['scope'] === 'Namespaced',
          verbs: strings(d['verbs']),
          subresources: arr(d['subresources']).map((s) => str(obj(s)['subresource'])).filter(Boolean),
          preferred: i === 0,
        });
      }
    });
  }
  return out.filter((r) => r.resource && r.kind);
}

/** Resources of a legacy APIResourceList (/api/v1, /apis/<group>/<version>); subresources ("pods/log") fold into their resource. */
export function fromResourceList(doc: unknown, preferred: boolean): ApiResource[] {
  const gv = str(obj(doc)['groupVersion']);
  const [group, version] = gv.includes('/') ? (gv.split('/') as [string, string]) : ['', gv];
  const list = arr(obj(doc)['resources']).map(obj);
  const out: ApiResource[] = [];
  for (const d of list) {
    const name = str(d['name']);
    if (!name || name.includes('/')) continue;
    out.push({
      group,
      version,
      resource: name,
      singular: str(d['singularName']) || str(d['kind']).toLowerCase(),
      kind: str(d['kind']),
      shortNames: strings(d['shortNames']),
      namespaced: d['namespaced'] === true,
      verbs: strings(d['verbs']),
      subresources: list.map((s) => str(s['name'])).filter((n) => n.startsWith(`${name}/`)).map((n) => n.slice(name.length + 1)),
      preferred,
    });
  }
  return out;
}

/**
 * What kubectl does with a resource argument: "pods", "pod", "po", "Pod", "deployments.apps",
 * "deploy.apps" all name a type. The group's preferred version wins; the core group wins over
 * named groups (kubectl's priority), then the order discovery listed them in.
 */
export class ResourceIndex {
  constructor(readonly resources: readonly ApiResource[]) {}

  resolve(name: string): ApiResource {
    const input = name.trim();
    if (!input) throw new UnknownResource('name a resource type, e.g. "pods" or "deployments.apps"');
    const dot = input.indexOf('.');
    const word = (dot >= 0 ? input.slice(0, dot) : input).toLowerCase();
    const group = dot >= 0 ? input.slice(dot + 1).toLowerCase() : undefined;
    const matches = this.resources.filter(
      (r) =>
        (group === undefined || r.group === group) &&
        (r.resource === word || r.singular === word || r.kind.toLowerCase() === word || r.shortNames.includes(word)),
    );
    const best = [...matches].sort((a, b) => rank(a) - rank(b))[0];
    if (!best) {
      throw new UnknownResource(
        `the server does not serve a resource "${input.slice(0, 80)}"${group === undefined ? '' : ` in the API group "${group.slice(0, 60)}"`}; ` +
          'use a plural name as kubectl api-resources shows it (pods, deployments.apps)',
      );
    }
    return best;
  }

  /** The resource serving `kind` in exactly `apiVersion` (what a manifest names). */
  byKind(apiVersion: string, kind: string): ApiResource {
    const [group, version] = apiVersion.includes('/') ? (apiVersion.split('/', 2) as [string, string]) : ['', apiVersion];
    const found = this.resources.find((r) => r.group === group && r.version === version && r.kind === kind);
    if (!found) throw new UnknownResource(`the server does not serve kind "${kind.slice(0, 60)}" in apiVersion "${apiVersion.slice(0, 60)}"`);
    return found;
  }
}

function rank(r: ApiResource): number {
  return (r.preferred ? 0 : 2) + (r.group === '' ? 0 : 1);
}

/** "deployment.apps", "pod": how kubectl names a type in messages. */
export function typeName(r: ApiResource): string {
  return r.group ? `${r.singular || r.kind.toLowerCase()}.${r.group}` : r.singular || r.kind.toLowerCase();
}
