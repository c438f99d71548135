import { RequestContext } from '../context';
import { mediaTypeOf, sendJson } from '../http';
import { qualifiedName } from '../resources';
import { ResourcePath } from '../router';
import { badRequest, notFound } from '../status';
import { KubeObject, isPlainObject } from '../types';
import { applyPatch, commitUpdate, parseJsonBody } from './write';

/** deployments/scale: an autoscaling/v1 Scale view of spec.replicas, readable and writable (GET/PUT/PATCH). */
function toScale(d: KubeObject): Record<string, unknown> {
  const spec = isPlainObject(d['spec']) ? d['spec'] : {};
  const status = isPlainObject(d['status']) ? d['status'] : {};
  const matchLabels = isPlainObject(spec['selector']) && isPlainObject(spec['selector']['matchLabels']) ? spec['selector']['matchLabels'] : {};
  const { name, namespace, uid, resourceVersion, creationTimestamp } = d.metadata;
  return {
    kind: 'Scale',
    apiVersion: 'autoscaling/v1',
    metadata: { name, namespace, uid, resourceVersion, creationTimestamp },
    spec: { replicas: Number(spec['replicas'] ?? 0) },
    status: {
      replicas: Number(status['replicas'] ?? 0),
      selector: Object.entries(matchLabels).map(([k, v]) => `${k}=${String(v)}`).join(','),
    },
  };
}

export function handleScale(ctx: RequestContext, p: ResourcePath): void {
  const r = p.resource;
  const name = p.name ?? '';
  const current = ctx.store.get(r, p.namespace, name);
  if (!current) throw notFound(qualifiedName(r), name, r.group, r.resource);
  const method = ctx.req.method ?? 'GET';
  if (method === 'GET') {
    sendJson(ctx.res, 200, toScale(current));
    return;
  }
  let next: unknown;
  if (method === 'PUT') next = parseJsonBody(ctx.body);
  else next = applyPatch(mediaTypeOf(ctx.req.headers['content-type']), toScale(current), ctx.body);
  if (!isPlainObject(next) || !isPlainObject(next['spec'])) throw badRequest('the object provided is unrecognized (must be of type Scale)');
  const replicas = next['spec']['replicas'];
  if (typeof replicas !== 'number' || !Number.isInteger(replicas) || replicas < 0) throw badRequest(`Scale.autoscaling "${name}" is invalid: spec.replicas: Invalid value: ${String(replicas)}: must be greater than or equal to 0`);
  const meta = isPlainObject(next['metadata']) ? next['metadata'] : {};
  const updated: KubeObject = { ...current, metadata: { ...current.metadata }, spec: { ...(isPlainObject(current['spec']) ? current['spec'] : {}), replicas } };
  if (typeof meta['resourceVersion'] === 'string' && meta['resourceVersion']) updated.metadata.resourceVersion = meta['resourceVersion'];
  const out = commitUpdate(ctx, r, current, updated, false);
  sendJson(ctx.res, 200, toScale(out));
}
