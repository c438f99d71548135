import { badRequest, ApiError, failure } from './status';
import { isPlainObject, deepClone } from './types';

/** RFC 7386 JSON merge patch. */
export function mergePatch(target: unknown, patch: unknown): unknown {
  if (!isPlainObject(patch)) return deepClone(patch);
  const out: Record<string, unknown> = isPlainObject(target) ? { ...target } : {};
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete out[k];
    else out[k] = mergePatch(out[k], v);
  }
  return out;
}

/** Merge keys the real schemas declare (x-kubernetes-patch-merge-key) for the lists these kinds use. */
const MERGE_KEYS: Record<string, string> = {
  containers: 'name',
  initContainers: 'name',
  ephemeralContainers: 'name',
  env: 'name',
  volumes: 'name',
  volumeMounts: 'mountPath',
  imagePullSecrets: 'name',
  conditions: 'type',
  ownerReferences: 'uid',
  hostAliases: 'ip',
};

function mergeKeyedList(field: string, target: unknown, patch: unknown[]): unknown[] {
  const key = MERGE_KEYS[field];
  if (!key || !Array.isArray(target)) return patch.map((p) => (isPlainObject(p) ? strategicMergePatch(undefined, p) : p));
  const out: unknown[] = target.map((t) => deepClone(t));
  for (const p of patch) {
    if (!isPlainObject(p)) continue;
    const idx = out.findIndex((t) => isPlainObject(t) && t[key] === p[key]);
    if (p['$patch'] === 'delete') {
      if (idx >= 0) out.splice(idx, 1);
      continue;
    }
    if (idx >= 0) out[idx] = strategicMergePatch(out[idx], p);
    else out.push(strategicMergePatch(undefined, p));
  }
  return out;
}

/**
 * A subset of strategic merge patch: merge-patch semantics, plus lists of the well-known kinds merged by
 * their merge key, `$patch: delete|replace`, `$setElementOrder/<list>`, `$deleteFromPrimitiveList/<list>`.
 * `$retainKeys` is ignored. Good enough for `kubectl apply`/`edit`/`annotate`/`label` against these kinds.
 */
export function strategicMergePatch(target: unknown, patch: unknown): unknown {
  if (!isPlainObject(patch)) return deepClone(patch);
  if (patch['$patch'] === 'replace') {
    const { $patch: _ignored, ...rest } = patch;
    return deepClone(rest);
  }
  const out: Record<string, unknown> = isPlainObject(target) ? { ...target } : {};
  const orders: [string, unknown[]][] = [];
  for (const [k, v] of Object.entries(patch)) {
    if (k.startsWith('$setElementOrder/')) {
      if (Array.isArray(v)) orders.push([k.slice('$setElementOrder/'.length), v]);
      continue;
    }
    if (k.startsWith('$deleteFromPrimitiveList/')) {
      const field = k.slice('$deleteFromPrimitiveList/'.length);
      const cur = out[field];
      if (Array.isArray(cur) && Array.isArray(v)) out[field] = cur.filter((x) => !v.includes(x));
      continue;
    }
    if (k.startsWith('$')) continue;
    if (v === null) delete out[k];
    else if (Array.isArray(v)) out[k] = mergeKeyedList(k, out[k], v);
    else if (isPlainObject(v)) out[k] = strategicMergePatch(out[k], v);
    else out[k] = v;
  }
  for (const [field, order] of orders) {
    const key = MERGE_KEYS[field];
    const cur = out[field];
    if (!key || !Array.isArray(cur)) continue;
    const pos = (e: unknown) => order.findIndex((o) => isPlainObject(o) && isPlainObject(e) && o[key] === e[key]);
    out[field] = [...cur].sort((a, b) => (pos(a) < 0 ? 1e9 : pos(a)) - (pos(b) < 0 ? 1e9 : pos(b)));
  }
  return out;
}

function decodePointer(ptr: string): string[] {
  if (ptr === '') return [];
  if (!ptr.startsWith('/')) throw badRequest(`JSON pointer must start with '/': ${ptr}`);
  return ptr.slice(1).split('/').map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
}

function unprocessable(msg: string): ApiError {
  return new ApiError(failure(422, 'Invalid', msg));
}

function parentOf(doc: unknown, path: string[]): { parent: unknown; last: string } {
  let cur = doc;
  for (const seg of path.slice(0, -1)) {
    if (Array.isArray(cur)) cur = cur[Number(seg)];
    else if (isPlainObject(cur)) cur = cur[seg];
    else cur = undefined;
    if (cur === undefined) throw unprocessable(`the server rejected our request due to an error in our request: path /${path.join('/')} does not exist`);
  }
  return { parent: cur, last: path[path.length - 1] ?? '' };
}

function getAt(doc: unknown, path: string[]): unknown {
  let cur = doc;
  for (const seg of path) {
    if (Array.isArray(cur)) cur = cur[Number(seg)];
    else if (isPlainObject(cur)) cur = cur[seg];
    else return undefined;
  }
  return cur;
}

function removeAt(doc: unknown, path: string[]): unknown {
  const { parent, last } = parentOf(doc, path);
  if (Array.isArray(parent)) {
    const i = Number(last);
    if (!(i >= 0 && i < parent.length)) throw unprocessable(`unable to remove nonexistent index: ${last}`);
    return parent.splice(i, 1)[0];
  }
  if (isPlainObject(parent) && last in parent) {
    const v = parent[last];
    delete parent[last];
    return v;
  }
  throw unprocessable(`unable to remove nonexistent key: ${last}: missing value`);
}

function addAt(doc: unknown, path: string[], value: unknown, replace: boolean): unknown {
  if (path.length === 0) return deepClone(value);
  const { parent, last } = parentOf(doc, path);
  if (Array.isArray(parent)) {
    const i = last === '-' ? parent.length : Number(last);
    if (!(i >= 0 && i <= parent.length)) throw unprocessable(`index out of bounds: ${last}`);
    if (replace) parent[i] = deepClone(value);
    else parent.splice(i, 0, deepClone(value));
  } else if (isPlainObject(parent)) {
    if (replace && !(last in parent)) throw unprocessable(`replace operation does not apply: doc is missing key: /${path.join('/')}: missing value`);
    parent[last] = deepClone(value);
  } else throw unprocessable(`the server rejected our request due to an error in our request`);
  return doc;
}

/** RFC 6902 JSON patch: add, remove, replace, move, copy, test. */
export function jsonPatch(target: unknown, ops: unknown): unknown {
  if (!Array.isArray(ops)) throw badRequest('json: cannot unmarshal object into Go value of type jsonpatch.Patch');
  let doc = deepClone(target);
  for (const op of ops) {
    if (!isPlainObject(op) || typeof op['op'] !== 'string' || typeof op['path'] !== 'string') throw badRequest('invalid JSON patch operation');
    const path = decodePointer(op['path']);
    switch (op['op']) {
      case 'add': doc = addAt(doc, path, op['value'], false); break;
      case 'replace': doc = addAt(doc, path, op['value'], true); break;
      case 'remove': removeAt(doc, path); break;
      case 'move': {
        const v = removeAt(doc, decodePointer(String(op['from'])));
        doc = addAt(doc, path, v, false);
        break;
      }
      case 'copy': doc = addAt(doc, path, getAt(doc, decodePointer(String(op['from']))), false); break;
      case 'test':
        if (JSON.stringify(getAt(doc, path)) !== JSON.stringify(op['value'])) throw unprocessable(`testing value /${path.join('/')} failed: test failed`);
        break;
      default:
        throw badRequest(`Unexpected kind: ${op['op']}`);
    }
  }
  return doc;
}
