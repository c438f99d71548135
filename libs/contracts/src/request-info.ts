import { z } from 'zod';

/** The verbs the API server derives for resource requests (k8s.io/apiserver RequestInfoFactory). */
export const KubeVerbs = Object.freeze([
  'get',
  'list',
  'watch',
  'create',
  'update',
  'patch',
  'delete',
  'deletecollection',
] as const);
export type KubeVerb = (typeof KubeVerbs)[number];

export const ResourceRequestInfoSchema = z.object({
  isResourceRequest: z.literal(true),
  path: z.string(),
  verb: z.enum(KubeVerbs),
  /** "api" for the legacy core group, "apis" for named groups. */
  apiPrefix: z.enum(['api', 'apis']),
  /** "" for the core group. */
  apiGroup: z.string(),
  apiVersion: z.string(),
  namespace: z.string(),
  resource: z.string(),
  subresource: z.string(),
  name: z.string(),
  parts: z.array(z.string()),
});

export const NonResourceRequestInfoSchema = z.object({
  isResourceRequest: z.literal(false),
  path: z.string(),
  /** Lower-cased HTTP method, as the API server does for non-resource URLs. */
  verb: z.string(),
});

/** Kubernetes request attributes, derived exactly as the API server's RequestInfo. */
export const RequestInfoSchema = z.discriminatedUnion('isResourceRequest', [
  ResourceRequestInfoSchema,
  NonResourceRequestInfoSchema,
]);
export type ResourceRequestInfo = z.infer<typeof ResourceRequestInfoSchema>;
export type NonResourceRequestInfo = z.infer<typeof NonResourceRequestInfoSchema>;
export type RequestInfo = z.infer<typeof RequestInfoSchema>;
