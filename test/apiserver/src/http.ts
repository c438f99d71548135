import { IncomingMessage, ServerResponse } from 'node:http';
import { ApiError, Status, notAcceptable } from './status';

/** Content negotiation and response writing shared by every handler. */
export type Rendering =
  | { as: 'json' }
  | { as: 'Table'; version: string }
  | { as: 'PartialObjectMetadata' | 'PartialObjectMetadataList'; version: string }
  | { as: 'APIGroupDiscoveryList'; version: string };

export type RenderingKind = Rendering['as'];

interface MediaRange {
  type: string;
  params: Record<string, string>;
}

export function parseAccept(header: string | undefined): MediaRange[] {
  if (!header) return [];
  return header.split(',').map((part) => {
    const [type = '', ...rest] = part.split(';').map((s) => s.trim());
    const params: Record<string, string> = {};
    for (const p of rest) {
      const eq = p.indexOf('=');
      if (eq > 0) params[p.slice(0, eq).trim().toLowerCase()] = p.slice(eq + 1).trim().replace(/^"|"$/g, '');
    }
    return { type: type.toLowerCase(), params };
  });
}

/**
 * Picks the first acceptable rendering, in the client's order, as the server does. Media ranges the
 * endpoint cannot produce (protobuf, or a Table from a discovery endpoint) are skipped; when nothing
 * fits, 406 NotAcceptable.
 */
export function negotiate(accept: string | undefined, allowed: RenderingKind[]): Rendering {
  const ranges = parseAccept(accept);
  if (ranges.length === 0) return { as: 'json' };
  for (const r of ranges) {
    if (!['application/json', 'application/*', '*/*'].includes(r.type)) continue;
    const as = r.params['as'];
    if (!as) {
      if (allowed.includes('json')) return { as: 'json' };
      continue;
    }
    const g = r.params['g'];
    const v = r.params['v'] ?? '';
    if (as === 'APIGroupDiscoveryList' && g === 'apidiscovery.k8s.io' && ['v2', 'v2beta1'].includes(v) && allowed.includes(as)) return { as, version: v };
    if ((as === 'Table' || as === 'PartialObjectMetadata' || as === 'PartialObjectMetadataList') && g === 'meta.k8s.io' && ['v1', 'v1beta1'].includes(v) && allowed.includes(as)) return { as, version: v };
  }
  throw notAcceptable();
}

export function contentTypeFor(r: Rendering): string {
  switch (r.as) {
    case 'json': return 'application/json';
    case 'APIGroupDiscoveryList': return `application/json;g=apidiscovery.k8s.io;v=${r.version};as=APIGroupDiscoveryList`;
    default: return `application/json;as=${r.as};v=${r.version};g=meta.k8s.io`;
  }
}

export function sendJson(res: ServerResponse, code: number, body: unknown, contentType = 'application/json', extraHeaders: Record<string, string> = {}): void {
  const payload = JSON.stringify(body) + '\n';
  res.writeHead(code, {
    'Content-Type': contentType,
    'Content-Length': Buffer.byteLength(payload),
    'Cache-Control': 'no-cache, private',
    ...extraHeaders,
  });
  res.end(payload);
}

export function sendStatus(res: ServerResponse, status: Status): void {
  sendJson(res, status.code, status);
}

export function sendError(res: ServerResponse, err: unknown): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  if (err instanceof ApiError) {
    sendStatus(res, err.status);
    return;
  }
  const message = err instanceof Error ? err.message : String(err);
  sendStatus(res, { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason: 'InternalError', code: 500 });
}

export function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

export function mediaTypeOf(contentType: string | undefined): string {
  return (contentType ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
}
