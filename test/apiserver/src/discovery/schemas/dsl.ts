/**
 * A few words for writing OpenAPI v3 schemas in the shape the API server publishes them (component
 * names like io.k8s.api.core.v1.Pod, `allOf: [$ref]` for a described reference, the list-merge
 * extensions kubectl's strategic merge patch reads), so the definitions stay short.
 */
export type Schema = Record<string, unknown>;

const REF = (name: string) => ({ $ref: `#/components/schemas/${name}` });

export const str = (description: string): Schema => ({ type: 'string', description });
export const int = (description: string, format: 'int32' | 'int64' = 'int32'): Schema => ({ type: 'integer', format, description });
export const bool = (description: string): Schema => ({ type: 'boolean', description });
export const strMap = (description: string): Schema => ({ type: 'object', additionalProperties: { type: 'string', default: '' }, description });
export const strList = (description: string): Schema => ({ type: 'array', items: { type: 'string', default: '' }, description });
export const ref = (name: string, description: string): Schema => ({ allOf: [REF(name)], description });
export const refMap = (name: string, description: string): Schema => ({ type: 'object', additionalProperties: { allOf: [REF(name)] }, description });

/** A list of objects; with a merge key, strategic merge patch merges its items by that key. */
export function refList(name: string, description: string, mergeKey?: string): Schema {
  const out: Schema = { type: 'array', items: { allOf: [REF(name)], default: {} }, description };
  if (mergeKey) {
    out['x-kubernetes-list-map-keys'] = [mergeKey];
    out['x-kubernetes-list-type'] = 'map';
    out['x-kubernetes-patch-merge-key'] = mergeKey;
    out['x-kubernetes-patch-strategy'] = 'merge';
  }
  return out;
}

export function obj(description: string, properties: Record<string, Schema>, required: string[] = []): Schema {
  return { description, type: 'object', ...(required.length ? { required } : {}), properties };
}

/** A top-level kind: apiVersion, kind and metadata first, as every Kubernetes object has them. */
export function kind(group: string, version: string, k: string, description: string, properties: Record<string, Schema>): Schema {
  return {
    ...obj(description, {
      apiVersion: str('APIVersion defines the versioned schema of this representation of an object. Servers should convert recognized schemas to the latest internal value, and may reject unrecognized values.'),
      kind: str('Kind is a string value representing the REST resource this object represents. Servers may infer this from the endpoint the client submits requests to. Cannot be updated. In CamelCase.'),
      metadata: ref('io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta', "Standard object's metadata."),
      ...properties,
    }),
    'x-kubernetes-group-version-kind': [{ group, kind: k, version }],
  };
}

/** The component names a schema refers to. */
export function refsOf(s: unknown): string[] {
  if (Array.isArray(s)) return s.flatMap(refsOf);
  if (typeof s !== 'object' || s === null) return [];
  return Object.entries(s).flatMap(([k, v]) => (k === '$ref' && typeof v === 'string' ? [v.replace('#/components/schemas/', '')] : refsOf(v)));
}
