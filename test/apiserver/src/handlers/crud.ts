import { RequestContext } from '../context';
import { ResourcePath } from '../router';
import { findPod, resolveContainer } from '../streaming/exec-options';
import { ApiError, badRequest, methodNotAllowed, pathNotFound } from '../status';
import { handleDelete } from './delete';
import { handleLogs } from './logs';
import { handleGet } from './read';
import { handleScale } from './scale';
import { handleCreate, handlePatch, handleUpdate } from './write';

/** Dispatches a resource request by method and subresource. */
export interface CrudOptions {
  followIntervalMs: number;
}

export function handleResource(ctx: RequestContext, p: ResourcePath, opts: CrudOptions): void {
  const method = ctx.req.method ?? 'GET';
  const sub = p.subresource;
  if (sub !== undefined) {
    const def = p.resource.subresources.find((s) => s.name === sub);
    if (!def) throw new ApiError(pathNotFound());
    if (sub === 'log') {
      if (method !== 'GET') throw methodNotAllowed();
      handleLogs(ctx, p, opts.followIntervalMs);
      return;
    }
    if (sub === 'exec' || sub === 'attach' || sub === 'portforward') {
      // Streaming subresources are served by the server's `upgrade` handler; a plain request is
      // checked as far as the real server checks it (pod, container), then refused.
      if (method !== 'GET' && method !== 'POST') throw methodNotAllowed();
      const pod = findPod(ctx.store, p);
      if (sub !== 'portforward') resolveContainer(pod, ctx.url.searchParams.get('container') ?? '');
      throw badRequest('Upgrade request required');
    }
    if (sub === 'scale') {
      if (!['GET', 'PUT', 'PATCH'].includes(method)) throw methodNotAllowed();
      handleScale(ctx, p);
      return;
    }
    // status / finalize
    if (method === 'GET' && def.verbs.includes('get')) return handleGet(ctx, p);
    if (method === 'PUT' && def.verbs.includes('update')) return handleUpdate(ctx, p);
    if (method === 'PATCH' && def.verbs.includes('patch')) return handlePatch(ctx, p);
    throw methodNotAllowed();
  }
  switch (method) {
    case 'GET': return handleGet(ctx, p);
    case 'POST': return handleCreate(ctx, p);
    case 'PUT': return handleUpdate(ctx, p);
    case 'PATCH': return handlePatch(ctx, p);
    case 'DELETE': return handleDelete(ctx, p);
    default: throw methodNotAllowed();
  }
}
