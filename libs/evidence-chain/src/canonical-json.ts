/**
 * Deterministic JSON for hashing and signing, after RFC 8785 (JSON Canonicalization Scheme):
 * object members sorted by the UTF-16 code units of their names, no whitespace, numbers and
 * strings serialized as ECMAScript's JSON.stringify does (which is what JCS specifies).
 *
 * It follows JSON.stringify where that is lossless and consistent with a store round trip
 * (`toJSON` is honoured, so a Date becomes its ISO string; object members whose value is
 * undefined are omitted; undefined array elements become null) and throws where JSON.stringify
 * would silently lose or invent information: NaN and ±Infinity, functions, symbols, bigints,
 * Map/Set/typed arrays, and cycles.
 */
export class CanonicalJsonError extends Error {
  constructor(
    message: string,
    /** JSON-pointer-like location of the offending value ('' for the root). */
    readonly path: string,
  ) {
    super(`${message} at ${path === '' ? '<root>' : path}`);
    this.name = 'CanonicalJsonError';
  }
}

export function canonicalJson(value: unknown): string {
  const out = serialize(value, '', new Set<object>());
  if (out === undefined) {
    throw new CanonicalJsonError('cannot canonicalize undefined', '');
  }
  return out;
}

function pointer(path: string, key: string | number): string {
  return `${path}/${String(key).replace(/~/g, '~0').replace(/\//g, '~1')}`;
}

/** undefined means "omit" (only possible for undefined itself). */
function serialize(input: unknown, path: string, ancestors: Set<object>): string | undefined {
  let value = input;
  if (
    value !== null &&
    typeof value === 'object' &&
    typeof (value as { toJSON?: unknown }).toJSON === 'function'
  ) {
    value = (value as { toJSON: (key: string) => unknown }).toJSON(path.split('/').pop() ?? '');
  }
  switch (typeof value) {
    case 'undefined':
      return undefined;
    case 'boolean':
      return value ? 'true' : 'false';
    case 'string':
      return JSON.stringify(value);
    case 'number':
      if (!Number.isFinite(value)) {
        throw new CanonicalJsonError(`cannot canonicalize the number ${String(value)}`, path);
      }
      return JSON.stringify(value);
    case 'bigint':
      throw new CanonicalJsonError('cannot canonicalize a bigint', path);
    case 'function':
      throw new CanonicalJsonError('cannot canonicalize a function', path);
    case 'symbol':
      throw new CanonicalJsonError('cannot canonicalize a symbol', path);
    case 'object':
      break;
  }
  if (value === null) {
    return 'null';
  }
  const obj = value as object;
  if (obj instanceof Map || obj instanceof Set || ArrayBuffer.isView(obj) || obj instanceof ArrayBuffer) {
    throw new CanonicalJsonError(`cannot canonicalize a ${obj.constructor.name}`, path);
  }
  if (ancestors.has(obj)) {
    throw new CanonicalJsonError('cannot canonicalize a cyclic structure', path);
  }
  ancestors.add(obj);
  try {
    if (Array.isArray(obj)) {
      const items = obj.map((item, i) => serialize(item, pointer(path, i), ancestors) ?? 'null');
      return `[${items.join(',')}]`;
    }
    const members: string[] = [];
    // Default sort compares UTF-16 code units, as JCS requires.
    for (const key of Object.keys(obj).sort()) {
      const member = serialize((obj as Record<string, unknown>)[key], pointer(path, key), ancestors);
      if (member !== undefined) {
        members.push(`${JSON.stringify(key)}:${member}`);
      }
    }
    return `{${members.join(',')}}`;
  } finally {
    ancestors.delete(obj);
  }
}
