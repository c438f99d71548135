import { RequestContext } from '../context';
import { ResourcePath } from '../router';
import { negotiateObject, sendList, sendObject } from '../render';
import { makeFilter } from '../selectors';
import { badRequest, notFound } from '../status';
import { qualifiedName } from '../resources';
import { serveWatch } from '../watch';

/** GET of one object, a list (with selectors and limit/continue), or a watch. */
export function handleGet(ctx: RequestContext, p: ResourcePath): void {
  const r = p.resource;
  const accept = ctx.req.headers.accept;
  if (p.name !== undefined) {
    const obj = ctx.store.get(r, p.namespace, p.name);
    if (!obj) throw notFound(qualifiedName(r), p.name, r.group, r.resource);
    sendObject(ctx.res, ctx.url, negotiateObject(accept, false), r, obj);
    return;
  }
  const q = ctx.url.searchParams;
  const filter = makeFilter(q.get('labelSelector'), q.get('fieldSelector'), r.kind);
  const watch = q.get('watch');
  if (watch === 'true' || watch === '1') {
    serveWatch(ctx, r, p.namespace, filter, negotiateObject(accept, false));
    return;
  }
  const rendering = negotiateObject(accept, true);
  let items = ctx.store.list(r, p.namespace).filter(filter);
  const rv = ctx.store.resourceVersion;
  const extra: Record<string, unknown> = {};
  const limit = Number(q.get('limit') ?? '0');
  let offset = 0;
  const cont = q.get('continue');
  if (cont) {
    try {
      const parsed = JSON.parse(Buffer.from(cont, 'base64').toString('utf8')) as { offset?: unknown };
      offset = Number(parsed.offset ?? 0);
    } catch {
      throw badRequest('continue key is not valid: illegal base64 data');
    }
  }
  if (offset > 0) items = items.slice(offset);
  if (limit > 0 && items.length > limit) {
    extra['continue'] = Buffer.from(JSON.stringify({ v: 'meta.k8s.io/v1', rv: Number(rv), offset: offset + limit })).toString('base64');
    extra['remainingItemCount'] = items.length - limit;
    items = items.slice(0, limit);
  }
  sendList(ctx.res, ctx.url, rendering, r, items, rv, extra);
}
