import type { ApiResource } from '../discovery/resource-index';

/** Where a call goes: the type, the namespace (namespaced types only), the object and its subresource. */
export interface Target {
  resource: ApiResource;
  namespace?: string;
  name?: string;
  subresource?: string;
}

/** kubectl's default when a namespaced call names none. */
export const DEFAULT_NAMESPACE = 'default';

const seg = (s: string) => encodeURIComponent(s);

/** The API path of a collection, an object, or an object's subresource, as the API server routes it. */
export function apiPath(t: Target): string {
  const r = t.resource;
  const root = r.group ? `/apis/${seg(r.group)}/${seg(r.version)}` : `/api/${seg(r.version)}`;
  const ns = r.namespaced && t.namespace !== undefined ? `/namespaces/${seg(t.namespace)}` : '';
  const name = t.name !== undefined ? `/${seg(t.name)}` : '';
  const sub = t.name !== undefined && t.subresource ? `/${seg(t.subresource)}` : '';
  return `${root}${ns}/${seg(r.resource)}${name}${sub}`;
}

/** The namespace a call on this type uses: the one given, else "default"; none for cluster-scoped types. */
export function namespaceFor(r: ApiResource, given: string | undefined): string | undefined {
  return r.namespaced ? given || DEFAULT_NAMESPACE : undefined;
}
