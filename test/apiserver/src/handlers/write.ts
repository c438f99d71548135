import { randomBytes, randomUUID } from 'node:crypto';
import { RequestContext } from '../context';
import { WORKLOADS, applyDefaults, reconcileStatus, validate } from '../defaults';
import { mediaTypeOf } from '../http';
import { jsonPatch, mergePatch, strategicMergePatch } from '../patch';
import { negotiateObject, sendObject } from '../render';
import { ResourceDef, apiVersionOf, findResource, qualifiedName } from '../resources';
import { ResourcePath } from '../router';
import { ApiError, alreadyExists, badRequest, conflict, failure, invalid, notFound, unsupportedMediaType } from '../status';
import { KubeObject, isPlainObject, nowTimestamp } from '../types';
import { decodeKubeProtobuf } from '../protobuf/decode';

/** POST (create), PUT (update) and PATCH on objects and their status subresource. */
const NAMESPACES = findResource('', 'v1', 'namespaces');

export function parseJsonBody(body: string): unknown {
  try {
    return JSON.parse(body) as unknown;
  } catch (e) {
    throw badRequest(`the object provided is unrecognized: ${e instanceof Error ? e.message : String(e)}`);
  }
}

function asObject(r: ResourceDef, v: unknown): KubeObject {
  if (!isPlainObject(v)) throw badRequest('the object provided is unrecognized (must be of type ' + r.kind + ')');
  const meta = isPlainObject(v['metadata']) ? v['metadata'] : {};
  const obj = { ...v, metadata: { ...meta } } as KubeObject;
  if (obj.apiVersion !== undefined && obj.apiVersion !== apiVersionOf(r)) {
    throw badRequest(`the API version in the data (${String(obj.apiVersion)}) does not match the expected API version (${apiVersionOf(r)})`);
  }
  if (obj.kind !== undefined && obj.kind !== r.kind) {
    throw badRequest(`the kind in the data (${String(obj.kind)}) does not match the expected kind (${r.kind})`);
  }
  return obj;
}

export function isDryRun(ctx: RequestContext): boolean {
  return ctx.url.searchParams.getAll('dryRun').includes('All');
}

/** A create/update body: JSON, or protobuf for the kinds kubectl's typed generators post. */
function readObjectBody(ctx: RequestContext): unknown {
  const ct = mediaTypeOf(ctx.req.headers['content-type']);
  if (ct === 'application/vnd.kubernetes.protobuf') return decodeKubeProtobuf(ctx.rawBody);
  if (ct !== '' && ct !== 'application/json' && ct !== '*/*') {
    throw new ApiError(failure(415, 'UnsupportedMediaType', `the body of the request was in an unknown format - accepted media types include: application/json, application/vnd.kubernetes.protobuf`));
  }
  return parseJsonBody(ctx.body);
}

function checkNamespace(ctx: RequestContext, p: ResourcePath, obj: KubeObject): void {
  if (!p.resource.namespaced) {
    delete obj.metadata.namespace;
    return;
  }
  if (obj.metadata.namespace !== undefined && obj.metadata.namespace !== '' && obj.metadata.namespace !== p.namespace) {
    throw badRequest('the namespace of the provided object does not match the namespace sent on the request');
  }
  obj.metadata.namespace = p.namespace;
  if (NAMESPACES && p.namespace !== undefined && !ctx.store.get(NAMESPACES, undefined, p.namespace)) {
    throw notFound('namespaces', p.namespace, '', 'namespaces');
  }
}

/** Creates `obj` (already shaped) and answers 201, or stores nothing on dryRun=All. */
function createObject(ctx: RequestContext, p: ResourcePath, obj: KubeObject): KubeObject {
  const r = p.resource;
  if (!obj.metadata.name && obj.metadata.generateName) {
    obj.metadata.name = obj.metadata.generateName + randomBytes(3).toString('hex').slice(0, 5);
  }
  if (!obj.metadata.name) throw invalid(qualifiedName(r), r.kind, '', r.group, 'metadata.name', 'Required value: name or generateName is required');
  if (obj.metadata.resourceVersion) throw badRequest('resourceVersion should not be set on objects to be created');
  checkNamespace(ctx, p, obj);
  validate(r, obj);
  if (ctx.store.get(r, p.namespace, obj.metadata.name)) throw alreadyExists(qualifiedName(r), obj.metadata.name, r.group, r.resource);
  obj.metadata.uid = randomUUID();
  obj.metadata.creationTimestamp = nowTimestamp();
  delete obj.metadata.deletionTimestamp;
  applyDefaults(r, obj);
  reconcileStatus(r, obj);
  return isDryRun(ctx) ? obj : ctx.store.put(r, obj);
}

export function handleCreate(ctx: RequestContext, p: ResourcePath): void {
  if (p.name !== undefined) throw new ApiError(failure(405, 'MethodNotAllowed', 'the server does not allow this method on the requested resource'));
  const obj = createObject(ctx, p, asObject(p.resource, readObjectBody(ctx)));
  sendObject(ctx.res, ctx.url, negotiateObject(ctx.req.headers.accept, false), p.resource, obj, 201);
}

/**
 * Stores `next` as the new state of `current`: enforces the resourceVersion precondition, keeps
 * server-owned metadata, and splits spec from status the way resources with a status subresource do.
 */
export function commitUpdate(ctx: RequestContext, r: ResourceDef, current: KubeObject, next: KubeObject, statusOnly: boolean): KubeObject {
  const name = current.metadata.name ?? '';
  if (next.metadata.name !== undefined && next.metadata.name !== name) {
    throw badRequest(`the name of the object (${String(next.metadata.name)}) does not match the name on the URL (${name})`);
  }
  if (r.namespaced && next.metadata.namespace && next.metadata.namespace !== current.metadata.namespace) {
    throw badRequest('the namespace of the provided object does not match the namespace sent on the request');
  }
  if (next.metadata.resourceVersion && next.metadata.resourceVersion !== current.metadata.resourceVersion) {
    throw conflict(qualifiedName(r), name, r.group, r.resource);
  }
  if (next.metadata.uid && next.metadata.uid !== current.metadata.uid) {
    throw conflict(qualifiedName(r), name, r.group, r.resource);
  }
  let out: KubeObject;
  const hasStatus = r.subresources.some((s) => s.name === 'status');
  if (statusOnly) {
    out = { ...current, status: next['status'] };
  } else {
    out = { ...next, metadata: { ...next.metadata } };
    if (hasStatus) out['status'] = current['status'];
    for (const k of ['uid', 'creationTimestamp', 'generation', 'namespace', 'deletionTimestamp'] as const) {
      const v = current.metadata[k];
      if (v !== undefined) (out.metadata as Record<string, unknown>)[k] = v;
      else delete out.metadata[k];
    }
    out.metadata.name = name;
    out.apiVersion = apiVersionOf(r);
    out.kind = r.kind;
    if (r.kind === 'Namespace') {
      out.metadata.labels = { ...(out.metadata.labels ?? {}), 'kubernetes.io/metadata.name': name };
    }
    validate(r, out);
    if (WORKLOADS.has(r.kind) && JSON.stringify(out['spec']) !== JSON.stringify(current['spec'])) {
      out.metadata.generation = (current.metadata.generation ?? 1) + 1;
    }
  }
  reconcileStatus(r, out);
  out.metadata.resourceVersion = current.metadata.resourceVersion;
  return isDryRun(ctx) ? out : ctx.store.put(r, out);
}

function getExisting(ctx: RequestContext, p: ResourcePath): KubeObject {
  const r = p.resource;
  const name = p.name ?? '';
  const current = ctx.store.get(r, p.namespace, name);
  if (!current) throw notFound(qualifiedName(r), name, r.group, r.resource);
  return current;
}

export function handleUpdate(ctx: RequestContext, p: ResourcePath): void {
  if (p.name === undefined) throw new ApiError(failure(405, 'MethodNotAllowed', 'the server does not allow this method on the requested resource'));
  const next = asObject(p.resource, readObjectBody(ctx));
  const current = getExisting(ctx, p);
  const out = commitUpdate(ctx, p.resource, current, next, p.subresource === 'status');
  sendObject(ctx.res, ctx.url, negotiateObject(ctx.req.headers.accept, false), p.resource, out);
}

/** Applies a PATCH body of the given media type to a JSON document. */
export function applyPatch(contentType: string, target: unknown, body: string): unknown {
  switch (contentType) {
    case 'application/merge-patch+json':
      return mergePatch(target, parseJsonBody(body));
    case 'application/strategic-merge-patch+json':
    case 'application/apply-patch+yaml':
      return strategicMergePatch(target, parseJsonBody(body));
    case 'application/json-patch+json':
      return jsonPatch(target, parseJsonBody(body));
    default:
      throw unsupportedMediaType(contentType);
  }
}

/**
 * PATCH. Server-side apply (application/apply-patch+yaml) is simplified: the body must be JSON (kubectl
 * sends JSON), fieldManager is required as on the real server, a missing object is created, an existing
 * one is strategic-merged. No managedFields and no field-ownership conflicts are tracked.
 */
export function handlePatch(ctx: RequestContext, p: ResourcePath): void {
  if (p.name === undefined) throw new ApiError(failure(405, 'MethodNotAllowed', 'the server does not allow this method on the requested resource'));
  const r = p.resource;
  const ct = mediaTypeOf(ctx.req.headers['content-type']);
  const isApply = ct === 'application/apply-patch+yaml';
  if (isApply && !ctx.url.searchParams.get('fieldManager')) {
    throw badRequest('PATCH, fieldManager: Required value: is required for apply patch');
  }
  const current = ctx.store.get(r, p.namespace, p.name);
  const accept = negotiateObject(ctx.req.headers.accept, false);
  if (!current && isApply && p.subresource === undefined) {
    const obj = createObject(ctx, p, asObject(r, parseJsonBody(ctx.body)));
    sendObject(ctx.res, ctx.url, accept, r, obj, 201);
    return;
  }
  const existing = current ?? getExisting(ctx, p);
  const patched = applyPatch(ct, existing, ctx.body);
  if (!isPlainObject(patched) || !isPlainObject(patched['metadata'])) throw badRequest('patch produced an invalid object');
  const out = commitUpdate(ctx, r, existing, patched as KubeObject, p.subresource === 'status');
  sendObject(ctx.res, ctx.url, accept, r, out);
}
