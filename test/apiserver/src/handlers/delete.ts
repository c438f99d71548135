import { RequestContext } from '../context';
import { sendJson } from '../http';
import { RESOURCES, apiVersionOf, qualifiedName } from '../resources';
import { ResourcePath } from '../router';
import { makeFilter } from '../selectors';
import { conflict, failure, notFound, success, ApiError } from '../status';
import { KubeObject, isPlainObject, nowTimestamp } from '../types';
import { isDryRun } from './write';

/**
 * DELETE of one object and of a collection. Deletion is immediate (no kubelet, no finalizers). As on the
 * real server, pods and namespaces answer with the object, the other kinds with a Status Success whose
 * details.kind is the resource name; deletecollection answers with the list of deleted objects.
 */
const RETURNS_OBJECT = new Set(['Pod', 'Namespace']);

function preconditions(body: string): { uid?: string; resourceVersion?: string } {
  if (!body.trim()) return {};
  try {
    const opts = JSON.parse(body) as unknown;
    if (isPlainObject(opts) && isPlainObject(opts['preconditions'])) {
      const pre = opts['preconditions'];
      return {
        ...(typeof pre['uid'] === 'string' ? { uid: pre['uid'] } : {}),
        ...(typeof pre['resourceVersion'] === 'string' ? { resourceVersion: pre['resourceVersion'] } : {}),
      };
    }
  } catch {
    // DeleteOptions that do not parse are ignored, as an empty body would be.
  }
  return {};
}

function deleteOne(ctx: RequestContext, p: ResourcePath, obj: KubeObject): KubeObject {
  const r = p.resource;
  const name = obj.metadata.name ?? '';
  if (isDryRun(ctx)) return obj;
  if (r.kind === 'Namespace') {
    // The namespace controller, instantly: everything inside goes with it.
    for (const other of RESOURCES.filter((x) => x.namespaced)) {
      for (const o of ctx.store.list(other, name)) ctx.store.remove(other, name, o.metadata.name ?? '');
    }
  }
  if (r.kind === 'Pod' || r.kind === 'Namespace') {
    // Graceful deletion, compressed: watchers see the Terminating state (MODIFIED) and then DELETED.
    const terminating: KubeObject = { ...obj, metadata: { ...obj.metadata, deletionTimestamp: nowTimestamp() } };
    if (r.kind === 'Pod') terminating.metadata['deletionGracePeriodSeconds'] = 0;
    else terminating['status'] = { phase: 'Terminating' };
    const marked = ctx.store.put(r, terminating);
    ctx.store.remove(r, p.namespace, name);
    return marked;
  }
  return ctx.store.remove(r, p.namespace, name) ?? obj;
}

export function handleDelete(ctx: RequestContext, p: ResourcePath): void {
  const r = p.resource;
  if (p.name === undefined) {
    if (!r.verbs.includes('deletecollection')) throw new ApiError(failure(405, 'MethodNotAllowed', 'the server does not allow this method on the requested resource'));
    const q = ctx.url.searchParams;
    const filter = makeFilter(q.get('labelSelector'), q.get('fieldSelector'), r.kind);
    const deleted = ctx.store.list(r, p.namespace).filter(filter).map((o) => deleteOne(ctx, p, o));
    sendJson(ctx.res, 200, {
      kind: `${r.kind}List`,
      apiVersion: apiVersionOf(r),
      metadata: { resourceVersion: ctx.store.resourceVersion },
      items: deleted.map(({ apiVersion: _a, kind: _k, ...rest }) => rest),
    });
    return;
  }
  const current = ctx.store.get(r, p.namespace, p.name);
  if (!current) throw notFound(qualifiedName(r), p.name, r.group, r.resource);
  const pre = preconditions(ctx.body);
  if ((pre.uid && pre.uid !== current.metadata.uid) || (pre.resourceVersion && pre.resourceVersion !== current.metadata.resourceVersion)) {
    throw conflict(qualifiedName(r), p.name, r.group, r.resource);
  }
  const last = deleteOne(ctx, p, current);
  if (RETURNS_OBJECT.has(r.kind)) {
    sendJson(ctx.res, 200, { apiVersion: apiVersionOf(r), kind: r.kind, ...last });
    return;
  }
  sendJson(ctx.res, 200, success({ name: p.name, group: r.group, kind: r.resource, uid: current.metadata.uid ?? '' }));
}
