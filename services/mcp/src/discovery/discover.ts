import { fromAggregated, fromResourceList, ResourceIndex, type ApiResource } from './resource-index';

/** GET a discovery path through the ingress; resolves to the parsed JSON, rejects with the refusal. */
export type DiscoveryGet = (path: string, accept: string) => Promise<unknown>;

/** Aggregated discovery first (one request per root, as kubectl 1.30+ asks), then plain JSON. */
export const AGGREGATED_ACCEPT =
  'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList,application/json';

const kindOf = (doc: unknown): string => String((doc as { kind?: unknown } | null)?.kind ?? '');

/**
 * Every resource type the cluster serves, asked through the ingress like kubectl does: /api and
 * /apis as aggregated discovery; from servers without it, the legacy documents (/api/v1 and each
 * group's preferred version).
 */
export async function discover(get: DiscoveryGet): Promise<ResourceIndex> {
  const [core, groups] = await Promise.all([get('/api', AGGREGATED_ACCEPT), get('/apis', AGGREGATED_ACCEPT)]);
  const resources: ApiResource[] = [];
  if (kindOf(core) === 'APIGroupDiscoveryList') resources.push(...fromAggregated(core));
  else resources.push(...fromResourceList(await get('/api/v1', 'application/json'), true));
  if (kindOf(groups) === 'APIGroupDiscoveryList') resources.push(...fromAggregated(groups));
  else {
    const list = ((groups as { groups?: unknown }).groups ?? []) as { preferredVersion?: { groupVersion?: string } }[];
    const versions = list.map((g) => g.preferredVersion?.groupVersion).filter((gv): gv is string => typeof gv === 'string' && gv.includes('/'));
    const docs = await Promise.all(versions.map((gv) => get(`/apis/${gv.split('/').map(encodeURIComponent).join('/')}`, 'application/json')));
    for (const d of docs) resources.push(...fromResourceList(d, true));
  }
  return new ResourceIndex(resources);
}
