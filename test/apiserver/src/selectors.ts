import { badRequest } from './status';
import { KubeObject, isPlainObject } from './types';

/** Label selectors (equality- and set-based) and the field selectors the real server supports for these kinds. */
type LabelReq =
  | { op: 'eq' | 'neq'; key: string; value: string }
  | { op: 'in' | 'notin'; key: string; values: string[] }
  | { op: 'exists' | 'notexists'; key: string };

/** Splits on commas that are not inside parentheses. */
function splitTop(s: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let cur = '';
  for (const ch of s) {
    if (ch === '(') depth++;
    if (ch === ')') depth--;
    if (ch === ',' && depth === 0) {
      out.push(cur);
      cur = '';
    } else cur += ch;
  }
  out.push(cur);
  return out.map((p) => p.trim()).filter((p) => p.length > 0);
}

export function parseLabelSelector(sel: string): LabelReq[] {
  return splitTop(sel).map((part): LabelReq => {
    let m = /^([^\s!=]+)\s+(in|notin)\s+\(([^)]*)\)$/.exec(part);
    if (m) {
      const values = (m[3] ?? '').split(',').map((v) => v.trim()).filter((v) => v);
      return { op: m[2] === 'in' ? 'in' : 'notin', key: m[1] ?? '', values };
    }
    m = /^([^\s!=]+)\s*(==|=|!=)\s*(\S*)$/.exec(part);
    if (m) return { op: m[2] === '!=' ? 'neq' : 'eq', key: m[1] ?? '', value: m[3] ?? '' };
    m = /^!\s*([^\s!=]+)$/.exec(part);
    if (m) return { op: 'notexists', key: m[1] ?? '' };
    if (/^[^\s!=(),]+$/.test(part)) return { op: 'exists', key: part };
    throw badRequest(`unable to parse requirement: found '${part}', expected: in, notin, =, ==, !=, gt, lt`);
  });
}

export function matchesLabels(reqs: LabelReq[], labels: Record<string, string> | undefined): boolean {
  const l = labels ?? {};
  return reqs.every((r) => {
    const has = Object.prototype.hasOwnProperty.call(l, r.key);
    const v = l[r.key];
    switch (r.op) {
      case 'eq': return has && v === r.value;
      case 'neq': return !has || v !== r.value;
      case 'in': return has && v !== undefined && r.values.includes(v);
      case 'notin': return !has || v === undefined || !r.values.includes(v);
      case 'exists': return has;
      case 'notexists': return !has;
    }
    return false;
  });
}

interface FieldReq { path: string; value: string; negate: boolean }

const SUPPORTED_FIELDS: Record<string, string[]> = {
  '*': ['metadata.name', 'metadata.namespace'],
  Pod: ['spec.nodeName', 'spec.restartPolicy', 'spec.schedulerName', 'spec.serviceAccountName', 'spec.hostNetwork', 'status.phase', 'status.podIP', 'status.nominatedNodeName'],
  Secret: ['type'],
  Namespace: ['status.phase'],
  Event: ['involvedObject.kind', 'involvedObject.namespace', 'involvedObject.name', 'involvedObject.uid', 'involvedObject.apiVersion', 'involvedObject.resourceVersion', 'involvedObject.fieldPath', 'reason', 'reportingComponent', 'type', 'source',
    // events.k8s.io/v1 names them after its own fields.
    'regarding.kind', 'regarding.namespace', 'regarding.name', 'regarding.uid', 'regarding.apiVersion', 'reportingController', 'deprecatedSource'],
  ReplicaSet: ['status.replicas'],
};

export function parseFieldSelector(sel: string, kind: string): FieldReq[] {
  return splitTop(sel).map((part) => {
    const m = /^([^\s!=]+)\s*(==|=|!=)\s*(.*)$/.exec(part);
    if (!m) throw badRequest(`invalid selector: '${sel}'; can't understand '${part}'`);
    const path = m[1] ?? '';
    const allowed = [...(SUPPORTED_FIELDS['*'] ?? []), ...(SUPPORTED_FIELDS[kind] ?? [])];
    if (!allowed.includes(path)) throw badRequest(`field label not supported: ${path}`);
    return { path, value: m[3] ?? '', negate: m[2] === '!=' };
  });
}

function lookup(obj: unknown, path: string): string {
  let cur: unknown = obj;
  for (const seg of path.split('.')) cur = isPlainObject(cur) ? cur[seg] : undefined;
  return cur === undefined || cur === null ? '' : String(cur);
}

export function matchesFields(reqs: FieldReq[], obj: KubeObject): boolean {
  return reqs.every((r) => (lookup(obj, r.path) === r.value) !== r.negate);
}

export function makeFilter(labelSelector: string | null, fieldSelector: string | null, kind: string): (o: KubeObject) => boolean {
  const labels = labelSelector ? parseLabelSelector(labelSelector) : [];
  const fields = fieldSelector ? parseFieldSelector(fieldSelector, kind) : [];
  return (o) => matchesLabels(labels, o.metadata.labels) && matchesFields(fields, o);
}
