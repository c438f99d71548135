import { RESOURCES, groupVersions, GroupVersion } from '../resources';
import { APPS_SCHEMAS } from './schemas/apps';
import { CORE_SCHEMAS } from './schemas/core';
import { Schema, refsOf } from './schemas/dsl';
import { META_SCHEMAS } from './schemas/meta';

/**
 * OpenAPI. kubectl 1.32 validates `create -f`/`apply` with --validate=strict by default and first asks
 * /openapi/v3 whether the PATCH operation of the object's GVK accepts the `fieldValidation` query
 * parameter; if so it delegates validation to the server. This serves just enough v3 for that: per
 * group-version documents with one PATCH path per kind carrying x-kubernetes-group-version-kind and the
 * fieldValidation parameter. The component schemas (schemas/) describe the served kinds with the
 * fields the demo cluster fills, which is what `kubectl explain` reads; each document carries the
 * schemas its kinds reach, as the real documents do. /openapi/v2 answers 404 (kubectl then falls
 * back to its compiled-in types where it would have used the v2 schema).
 */
const SCHEMAS: Record<string, Schema> = { ...META_SCHEMAS, ...CORE_SCHEMAS, ...APPS_SCHEMAS };

function gvkOf(s: Schema): { group: string; version: string; kind: string } | undefined {
  const list = s['x-kubernetes-group-version-kind'];
  return Array.isArray(list) ? (list[0] as { group: string; version: string; kind: string }) : undefined;
}

/** The schemas of a group-version's kinds and everything they refer to. */
function componentsOf(gv: GroupVersion): Record<string, Schema> {
  const kinds = new Set(RESOURCES.filter((r) => r.group === gv.group && r.version === gv.version).map((r) => r.kind));
  const pending = Object.keys(SCHEMAS).filter((name) => {
    const gvk = gvkOf(SCHEMAS[name] ?? {});
    return gvk !== undefined && gvk.group === gv.group && gvk.version === gv.version && kinds.has(gvk.kind);
  });
  const out: Record<string, Schema> = {};
  while (pending.length > 0) {
    const name = pending.pop() ?? '';
    const schema = SCHEMAS[name];
    if (out[name] || !schema) continue;
    out[name] = schema;
    pending.push(...refsOf(schema));
  }
  return Object.fromEntries(Object.entries(out).sort(([a], [b]) => a.localeCompare(b)));
}
function gvPath(gv: GroupVersion): string {
  return gv.group ? `apis/${gv.group}/${gv.version}` : `api/${gv.version}`;
}

function hashOf(s: string): string {
  let h = 0n;
  for (const ch of s) h = (h * 131n + BigInt(ch.codePointAt(0) ?? 0)) & 0xffffffffffffffffn;
  return h.toString(16).toUpperCase().padStart(16, '0');
}

export function openApiV3Doc(gvp: string): Record<string, unknown> | undefined {
  const gv = groupVersions().find((g) => gvPath(g) === gvp);
  if (!gv) return undefined;
  const paths: Record<string, unknown> = {};
  const query = (name: string) => ({ name, in: 'query', description: name, schema: { type: 'string', uniqueItems: true } });
  for (const r of RESOURCES.filter((x) => x.group === gv.group && x.version === gv.version)) {
    const base = `/${gvPath(gv)}${r.namespaced ? '/namespaces/{namespace}' : ''}/${r.resource}/{name}`;
    const gvk = { group: r.group, version: r.version, kind: r.kind };
    const opId = `${r.group ? r.group.replace(/\./g, '') : 'core'}${r.version}${r.namespaced ? 'Namespaced' : ''}${r.kind}`;
    paths[base] = {
      patch: {
        description: `partially update the specified ${r.kind}`,
        operationId: `patch${opId.charAt(0).toUpperCase()}${opId.slice(1)}`,
        parameters: [query('dryRun'), query('fieldManager'), query('fieldValidation'), { name: 'force', in: 'query', schema: { type: 'boolean', uniqueItems: true } }],
        requestBody: {
          content: {
            'application/apply-patch+yaml': { schema: { type: 'object' } },
            'application/json-patch+json': { schema: { type: 'object' } },
            'application/merge-patch+json': { schema: { type: 'object' } },
          },
          required: true,
        },
        responses: { '200': { description: 'OK' }, '201': { description: 'Created' }, '401': { description: 'Unauthorized' } },
        tags: [`${r.group || 'core'}_${r.version}`],
        'x-kubernetes-action': 'patch',
        'x-kubernetes-group-version-kind': gvk,
      },
      parameters: [
        { name: 'name', in: 'path', required: true, description: `name of the ${r.kind}`, schema: { type: 'string', uniqueItems: true } },
        ...(r.namespaced ? [{ name: 'namespace', in: 'path', required: true, description: 'object name and auth scope', schema: { type: 'string', uniqueItems: true } }] : []),
      ],
    };
  }
  return { openapi: '3.0.0', info: { title: 'Kubernetes', version: 'v1.32.4' }, paths, components: { schemas: componentsOf(gv) } };
}

export function openApiV3Root(): Record<string, unknown> {
  const paths: Record<string, unknown> = {};
  for (const gv of groupVersions()) {
    const p = gvPath(gv);
    paths[p] = { serverRelativeURL: `/openapi/v3/${p}?hash=${hashOf(JSON.stringify(openApiV3Doc(p)))}` };
  }
  return { paths };
}

