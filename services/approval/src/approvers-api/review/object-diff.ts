import { parse as parseYaml } from 'yaml';

/**
 * What an approver needs to judge a patch, update or apply: the live object next to the object the
 * request would produce, as a list of changes. Both sides are the masked texts the gateway sent, so
 * a secret value shows as its mask on both sides (a change of a masked value is still reported when
 * the masks differ, e.g. a length marker, but its value never is).
 */

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

export interface Change {
  /** JSON pointer (RFC 6901) into the object. */
  path: string;
  op: 'add' | 'remove' | 'replace';
  from?: Json;
  to?: Json;
}

export type DiffBasis = 'update' | 'merge-patch' | 'json-patch' | 'strategic-merge-patch' | 'apply';

export type ReviewDiff =
  | {
      available: true;
      basis: DiffBasis;
      /** True when the result is an approximation of what the API server would compute. */
      approximated: boolean;
      note?: string;
      changes: Change[];
      /** The object the request would produce (masked), as computed here. */
      result: Json;
    }
  | { available: false; reason: string };

/** Metadata the API server maintains itself; a diff of it only hides what the agent changed. */
const IGNORED = new Set(['/metadata/managedFields', '/metadata/resourceVersion', '/metadata/generation', '/metadata/uid', '/metadata/creationTimestamp']);

export function reviewDiff(input: {
  verb: string;
  contentType: string;
  body: { masked: string; truncated: boolean } | undefined;
  liveObject: { masked: string; truncated: boolean } | undefined;
}): ReviewDiff {
  const { verb } = input;
  if (verb !== 'update' && verb !== 'patch') return { available: false, reason: `no diff for ${verb}: only patch, update and apply change an existing object` };
  if (!input.body) return { available: false, reason: 'the request carried no body' };
  if (!input.liveObject) return { available: false, reason: 'the gateway could not read the live object (it may not exist yet)' };
  if (input.body.truncated || input.liveObject.truncated) return { available: false, reason: 'the body or the live object exceeded 256 KiB and was truncated' };
  const basis = basisOf(verb, input.contentType);
  if (basis === undefined) return { available: false, reason: `no diff for content type ${input.contentType}` };
  let live: Json;
  let body: Json;
  try {
    live = JSON.parse(input.liveObject.masked) as Json;
    body = (basis === 'apply' ? parseYaml(input.body.masked) : JSON.parse(input.body.masked)) as Json;
  } catch {
    return { available: false, reason: 'the body or the live object is not valid JSON/YAML' };
  }
  let result: Json;
  try {
    result = resultOf(basis, live, body);
  } catch (e) {
    return { available: false, reason: `the patch does not apply to the live object: ${e instanceof Error ? e.message : String(e)}` };
  }
  const changes = diffJson(live, result).filter((c) => ![...IGNORED].some((p) => c.path === p || c.path.startsWith(`${p}/`)));
  const approximated = basis === 'strategic-merge-patch' || basis === 'apply';
  return {
    available: true,
    basis,
    approximated,
    ...(approximated
      ? {
          note:
            basis === 'apply'
              ? 'server-side apply approximated as a JSON merge patch of the applied configuration onto the live object (field ownership and list merge keys are not modelled)'
              : 'strategic merge patch approximated as a JSON merge patch (list merge keys and $patch directives are not modelled: lists are replaced whole)',
        }
      : {}),
    changes,
    result,
  };
}

function basisOf(verb: string, contentType: string): DiffBasis | undefined {
  const type = contentType.split(';')[0]?.trim().toLowerCase() ?? '';
  if (verb === 'update') return 'update';
  switch (type) {
    case 'application/merge-patch+json':
      return 'merge-patch';
    case 'application/json-patch+json':
      return 'json-patch';
    case 'application/strategic-merge-patch+json':
      return 'strategic-merge-patch';
    case 'application/apply-patch+yaml':
    case 'application/apply-patch+json':
      return 'apply';
    default:
      return undefined;
  }
}

function resultOf(basis: DiffBasis, live: Json, body: Json): Json {
  switch (basis) {
    case 'update':
      return body;
    case 'merge-patch':
    case 'strategic-merge-patch':
    case 'apply':
      return applyMergePatch(live, body);
    case 'json-patch':
      return applyJsonPatch(live, body);
    default: {
      const unhandled: never = basis;
      throw new Error(`unhandled basis ${String(unhandled)}`);
    }
  }
}

function isObject(v: Json | undefined): v is { [key: string]: Json } {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** RFC 7386 JSON merge patch. */
export function applyMergePatch(target: Json, patch: Json): Json {
  if (!isObject(patch)) return patch;
  const out: { [key: string]: Json } = isObject(target) ? { ...target } : {};
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete out[key];
    else out[key] = applyMergePatch(out[key] ?? null, value);
  }
  return out;
}

function unescapePointer(token: string): string {
  return token.replace(/~1/g, '/').replace(/~0/g, '~');
}

function escapePointer(token: string): string {
  return token.replace(/~/g, '~0').replace(/\//g, '~1');
}

function tokensOf(pointer: string): string[] {
  if (pointer === '') return [];
  if (!pointer.startsWith('/')) throw new Error(`"${pointer}" is not a JSON pointer`);
  return pointer.slice(1).split('/').map(unescapePointer);
}

function clone(v: Json): Json {
  return JSON.parse(JSON.stringify(v)) as Json;
}

/** RFC 6902 JSON patch (add, remove, replace, move, copy, test), applied to a copy. */
export function applyJsonPatch(doc: Json, ops: Json): Json {
  if (!Array.isArray(ops)) throw new Error('a JSON patch is an array of operations');
  let root = clone(doc);
  const parentOf = (pointer: string): { parent: Json; key: string } => {
    const tokens = tokensOf(pointer);
    const key = tokens.pop();
    if (key === undefined) throw new Error('the root cannot be addressed here');
    let parent: Json = root;
    for (const t of tokens) {
      const next: Json | undefined = Array.isArray(parent) ? parent[Number(t)] : isObject(parent) ? parent[t] : undefined;
      if (next === undefined) throw new Error(`path ${pointer} does not exist`);
      parent = next;
    }
    return { parent, key };
  };
  const get = (pointer: string): Json => {
    let node: Json = root;
    for (const t of tokensOf(pointer)) {
      const next: Json | undefined = Array.isArray(node) ? node[Number(t)] : isObject(node) ? node[t] : undefined;
      if (next === undefined) throw new Error(`path ${pointer} does not exist`);
      node = next;
    }
    return node;
  };
  const add = (pointer: string, value: Json) => {
    if (pointer === '') return void (root = value);
    const { parent, key } = parentOf(pointer);
    if (Array.isArray(parent)) {
      const index = key === '-' ? parent.length : Number(key);
      if (!Number.isInteger(index) || index < 0 || index > parent.length) throw new Error(`index ${key} out of range at ${pointer}`);
      parent.splice(index, 0, value);
    } else if (isObject(parent)) parent[key] = value;
    else throw new Error(`cannot add at ${pointer}`);
  };
  const remove = (pointer: string): Json => {
    const value = get(pointer);
    const { parent, key } = parentOf(pointer);
    if (Array.isArray(parent)) parent.splice(Number(key), 1);
    else if (isObject(parent)) delete parent[key];
    return value;
  };
  for (const raw of ops) {
    if (!isObject(raw) || typeof raw['op'] !== 'string' || typeof raw['path'] !== 'string') throw new Error('each operation needs op and path');
    const path = raw['path'];
    const from = typeof raw['from'] === 'string' ? raw['from'] : undefined;
    switch (raw['op']) {
      case 'add':
        add(path, clone(raw['value'] ?? null));
        break;
      case 'remove':
        remove(path);
        break;
      case 'replace':
        get(path);
        if (path === '') root = clone(raw['value'] ?? null);
        else {
          remove(path);
          add(path, clone(raw['value'] ?? null));
        }
        break;
      case 'move': {
        if (from === undefined) throw new Error('move needs from');
        add(path, remove(from));
        break;
      }
      case 'copy':
        if (from === undefined) throw new Error('copy needs from');
        add(path, clone(get(from)));
        break;
      case 'test':
        if (JSON.stringify(get(path)) !== JSON.stringify(raw['value'] ?? null)) throw new Error(`test failed at ${path}`);
        break;
      default:
        throw new Error(`unknown operation ${String(raw['op']).slice(0, 20)}`);
    }
  }
  return root;
}

/** The changes that turn `before` into `after`: objects key by key, arrays index by index. */
export function diffJson(before: Json, after: Json, path = ''): Change[] {
  if (JSON.stringify(before) === JSON.stringify(after)) return [];
  if (isObject(before) && isObject(after)) {
    const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])].sort();
    return keys.flatMap((k) => {
      const p = `${path}/${escapePointer(k)}`;
      const a = before[k];
      const b = after[k];
      if (a === undefined) return [{ path: p, op: 'add' as const, to: b as Json }];
      if (b === undefined) return [{ path: p, op: 'remove' as const, from: a }];
      return diffJson(a, b, p);
    });
  }
  if (Array.isArray(before) && Array.isArray(after)) {
    const out: Change[] = [];
    for (let i = 0; i < Math.max(before.length, after.length); i++) {
      const p = `${path}/${i}`;
      const a = before[i];
      const b = after[i];
      if (a === undefined) out.push({ path: p, op: 'add', to: b as Json });
      else if (b === undefined) out.push({ path: p, op: 'remove', from: a });
      else out.push(...diffJson(a, b, p));
    }
    return out;
  }
  return [{ path: path || '/', op: 'replace', from: before, to: after }];
}
