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
  const out = serialize(value, '', [], new Set<object>());
  if (out === undefined) {
    throw new CanonicalJsonError('cannot canonicalize undefined', '');
  }
  return out;
}

/** The JSON-pointer-like path of the keys walked so far: only built for an error message. */
function pointer(keys: readonly (string | number)[]): string {
  return keys.map((k) => `/${String(k).replace(/~/g, '~0').replace(/\//g, '~1')}`).join('');
}

/**
 * undefined means "omit" (only possible for undefined itself). `key` is the member name or index
 * (what toJSON receives), `keys` the path from the root, kept as a stack so the hot path builds
 * no strings for it.
 */
function serialize(input: unknown, key: string, keys: (string | number)[], ancestors: Set<object>): string | undefined {
  let value = input;
  if (
    value !== null &&
    typeof value === 'object' &&
    typeof (value as { toJSON?: unknown }).toJSON === 'function'
  ) {
    value = (value as { toJSON: (key: string) => unknown }).toJSON(key);
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
        throw new CanonicalJsonError(`cannot canonicalize the number ${String(value)}`, pointer(keys));
      }
      return JSON.stringify(value);
    case 'bigint':
      throw new CanonicalJsonError('cannot canonicalize a bigint', pointer(keys));
    case 'function':
      throw new CanonicalJsonError('cannot canonicalize a function', pointer(keys));
    case 'symbol':
      throw new CanonicalJsonError('cannot canonicalize a symbol', pointer(keys));
    case 'object':
      break;
  }
  if (value === null) {
    return 'null';
  }
  const obj = value as object;
  if (obj instanceof Map || obj instanceof Set || ArrayBuffer.isView(obj) || obj instanceof ArrayBuffer) {
    throw new CanonicalJsonError(`cannot canonicalize a ${obj.constructor.name}`, pointer(keys));
  }
  if (ancestors.has(obj)) {
    throw new CanonicalJsonError('cannot canonicalize a cyclic structure', pointer(keys));
  }
  ancestors.add(obj);
  try {
    if (Array.isArray(obj)) {
      let out = '[';
      for (let i = 0; i < obj.length; i++) {
        keys.push(i);
        out += (i > 0 ? ',' : '') + (serialize(obj[i], String(i), keys, ancestors) ?? 'null');
        keys.pop();
      }
      return `${out}]`;
    }
    let out = '{';
    let first = true;
    // Default sort compares UTF-16 code units, as JCS requires.
    for (const k of Object.keys(obj).sort()) {
      keys.push(k);
      const member = serialize((obj as Record<string, unknown>)[k], k, keys, ancestors);
      keys.pop();
      if (member !== undefined) {
        out += `${first ? '' : ','}${JSON.stringify(k)}:${member}`;
        first = false;
      }
    }
    return `${out}}`;
  } finally {
    ancestors.delete(obj);
  }
}
