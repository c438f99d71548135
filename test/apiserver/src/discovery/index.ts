import { createHash } from 'node:crypto';
import { RequestContext } from '../context';
import { contentTypeFor, negotiate, sendJson } from '../http';
import { aggregatedDiscovery } from './aggregated';
import { apiGroupDoc, apiGroupList, apiResourceList, apiVersions } from './legacy';
import { openApiV3Doc, openApiV3Root } from './openapi';
import { VERSION_INFO } from './version';

/** Serves the non-resource endpoints. Returns false when the path is not one of them. */
export function handleDiscovery(ctx: RequestContext, serverAddress: string): boolean {
  const path = ctx.url.pathname.replace(/\/+$/, '') || '/';
  if (ctx.req.method !== 'GET' && ctx.req.method !== 'HEAD') return false;
  const accept = ctx.req.headers.accept;
  const send = (body: unknown, contentType = 'application/json') => sendJson(ctx.res, 200, body, contentType);

  if (path === '/version') {
    send(VERSION_INFO);
    return true;
  }
  if (path === '/healthz' || path === '/livez' || path === '/readyz') {
    ctx.res.writeHead(200, { 'Content-Type': 'text/plain; charset=utf-8' });
    ctx.res.end('ok');
    return true;
  }
  if (path === '/api' || path === '/apis') {
    const rendering = negotiate(accept, ['json', 'APIGroupDiscoveryList']);
    if (rendering.as === 'APIGroupDiscoveryList') {
      const doc = aggregatedDiscovery(path === '/api', rendering.version);
      const etag = `"${createHash('sha512').update(JSON.stringify(doc)).digest('hex').slice(0, 64).toUpperCase()}"`;
      sendJson(ctx.res, 200, doc, contentTypeFor(rendering), { ETag: etag, Vary: 'Accept' });
    } else send(path === '/api' ? apiVersions(serverAddress) : apiGroupList(), 'application/json');
    return true;
  }
  let m = /^\/apis\/([^/]+)$/.exec(path);
  if (m) {
    const doc = apiGroupDoc(m[1] ?? '');
    if (!doc) return false;
    send(doc);
    return true;
  }
  m = /^\/api\/(v1)$/.exec(path) ?? /^\/apis\/([^/]+\/[^/]+)$/.exec(path);
  if (m) {
    const gv = m[1] ?? '';
    const [group, version] = gv.includes('/') ? gv.split('/') : ['', gv];
    const doc = apiResourceList(group ?? '', version ?? '');
    if (!doc) return false;
    send(doc);
    return true;
  }
  if (path === '/openapi/v3') {
    send(openApiV3Root());
    return true;
  }
  m = /^\/openapi\/v3\/(.+)$/.exec(path);
  if (m) {
    const doc = openApiV3Doc(m[1] ?? '');
    if (!doc) return false;
    sendJson(ctx.res, 200, doc, 'application/json', { 'Cache-Control': 'public, immutable', Expires: new Date(Date.now() + 365 * 86400_000).toUTCString() });
    return true;
  }
  return false;
}
