import { ServerResponse } from 'node:http';
import { Rendering, contentTypeFor, negotiate, sendJson } from './http';
import { ResourceDef, apiVersionOf } from './resources';
import { IncludeObject, partialObjectMetadata, toTable } from './table';
import { KubeObject } from './types';
import { badRequest } from './status';

/** Renders one object or a list in whatever the client negotiated: plain JSON, Table or PartialObjectMetadata. */
export function includeObjectParam(url: URL): IncludeObject {
  const v = url.searchParams.get('includeObject') ?? 'Metadata';
  if (v !== 'None' && v !== 'Metadata' && v !== 'Object') throw badRequest(`includeObject: Unsupported value: "${v}": supported values: "Metadata", "None", "Object"`);
  return v;
}

export function negotiateObject(accept: string | undefined, list: boolean): Rendering {
  return negotiate(accept, ['json', 'Table', list ? 'PartialObjectMetadataList' : 'PartialObjectMetadata']);
}

export function withTypeMeta(r: ResourceDef, o: KubeObject): KubeObject {
  return { apiVersion: apiVersionOf(r), kind: r.kind, ...o };
}

export function sendObject(res: ServerResponse, url: URL, rendering: Rendering, r: ResourceDef, o: KubeObject, code = 200): void {
  const obj = withTypeMeta(r, o);
  if (rendering.as === 'Table') {
    const table = toTable(r, [obj], o.metadata.resourceVersion, { includeObject: includeObjectParam(url), noHeaders: false, metaVersion: rendering.version });
    sendJson(res, code, table, contentTypeFor(rendering));
  } else if (rendering.as === 'PartialObjectMetadata') {
    sendJson(res, code, partialObjectMetadata(obj, rendering.version), contentTypeFor(rendering));
  } else sendJson(res, code, obj);
}

export function sendList(res: ServerResponse, url: URL, rendering: Rendering, r: ResourceDef, items: KubeObject[], resourceVersion: string, extraMeta: Record<string, unknown> = {}): void {
  if (rendering.as === 'Table') {
    const table = toTable(r, items.map((o) => withTypeMeta(r, o)), resourceVersion, { includeObject: includeObjectParam(url), noHeaders: false, metaVersion: rendering.version }, extraMeta['continue'] as string | undefined);
    sendJson(res, 200, table, contentTypeFor(rendering));
    return;
  }
  if (rendering.as === 'PartialObjectMetadataList') {
    sendJson(res, 200, {
      kind: 'PartialObjectMetadataList',
      apiVersion: `meta.k8s.io/${rendering.version}`,
      metadata: { resourceVersion, ...extraMeta },
      items: items.map((o) => partialObjectMetadata(o, rendering.version)),
    }, contentTypeFor(rendering));
    return;
  }
  // Items of a typed list carry no apiVersion/kind on the wire, exactly like the real server.
  const stripped = items.map(({ apiVersion: _a, kind: _k, ...rest }) => rest);
  sendJson(res, 200, { kind: `${r.kind}List`, apiVersion: apiVersionOf(r), metadata: { resourceVersion, ...extraMeta }, items: stripped });
}
