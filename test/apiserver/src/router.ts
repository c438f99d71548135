import { ResourceDef, findResource } from './resources';

/** Parses a resource path: /api/v1/[namespaces/NS/]RESOURCE[/NAME[/SUB]] and the /apis/G/V/ equivalent. */
export interface ResourcePath {
  resource: ResourceDef;
  namespace?: string;
  name?: string;
  subresource?: string;
}

export type ParsedPath = { kind: 'resource'; path: ResourcePath } | { kind: 'unknown' };

export function parseResourcePath(pathname: string): ParsedPath {
  const segs = pathname.split('/').filter((s) => s.length > 0).map(decodeURIComponent);
  let group: string;
  let version: string;
  let rest: string[];
  if (segs[0] === 'api' && segs.length >= 3) {
    group = '';
    version = segs[1] ?? '';
    rest = segs.slice(2);
  } else if (segs[0] === 'apis' && segs.length >= 4) {
    group = segs[1] ?? '';
    version = segs[2] ?? '';
    rest = segs.slice(3);
  } else return { kind: 'unknown' };

  let namespace: string | undefined;
  if (rest[0] === 'namespaces' && rest.length >= 3) {
    const candidate = findResource(group, version, rest[2] ?? '');
    if (candidate?.namespaced) {
      namespace = rest[1];
      rest = rest.slice(2);
    }
  }
  const resource = findResource(group, version, rest[0] ?? '');
  if (!resource || rest.length > 3) return { kind: 'unknown' };
  if (namespace !== undefined && !resource.namespaced) return { kind: 'unknown' };
  const path: ResourcePath = { resource };
  if (namespace !== undefined) path.namespace = namespace;
  if (rest[1] !== undefined) path.name = rest[1];
  if (rest[2] !== undefined) path.subresource = rest[2];
  // A namespaced resource addressed by name without a namespace is not a route the server has.
  if (resource.namespaced && namespace === undefined && path.name !== undefined) return { kind: 'unknown' };
  return { kind: 'resource', path };
}
