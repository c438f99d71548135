import { RequestContext } from '../context';
import { ResourcePath } from '../router';
import { ApiError, failure, methodNotAllowed, pathNotFound } from '../status';
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
    if (sub === 'exec') {
      // The real server only serves exec as a SPDY/WebSocket upgrade; this double has no containers.
      throw new ApiError(failure(400, 'BadRequest', 'Upgrade request required'));
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
