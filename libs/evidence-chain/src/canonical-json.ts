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
  const out = new Canonical(false).serialize(value, '');
  if (out === undefined) {
    throw new CanonicalJsonError('cannot canonicalize undefined', '');
  }
  return out;
}

/**
 * The canonical JSON of what a JSON store gives back for `value`: exactly
 * `canonicalJson(JSON.parse(JSON.stringify(value ?? null)))`, in one pass and without building the
 * copy. So it never throws where JSON.stringify does not: non-finite numbers become null, functions
 * and symbols are left out of objects and become null in arrays, a Map or a Set is `{}`, a typed
 * array the object of its indices, a boxed primitive its value. A hash over it covers what a reader
 * of the store gets back, whatever the writer handed in.
 */
export function canonicalJsonAsStored(value: unknown): string {
  const out = new Canonical(true).serialize(value ?? null, '');
  // JSON.stringify gave undefined (a function or a symbol), which JSON.parse refuses.
  if (out === undefined) throw new TypeError(`${typeof value} is not JSON`);
  return out;
}

/** The JSON-pointer-like path of the keys walked so far: only built for an error message. */
function pointer(keys: readonly (string | number)[]): string {
  return keys.map((k) => `/${String(k).replace(/~/g, '~0').replace(/\//g, '~1')}`).join('');
}

/**
 * One serialization. `asStored` follows JSON.stringify where strict mode throws. The objects being
 * walked are kept on a stack (the cycle check), and `keys` is the path to them, kept for an error
 * message and never turned into a string otherwise.
 */
class Canonical {
  private readonly ancestors: object[] = [];
  private readonly keys: (string | number)[] = [];

  constructor(private readonly asStored: boolean) {}

  /** undefined means "omit" (a member) or null (an array item). `key` is what toJSON receives. */
  serialize(input: unknown, key: string): string | undefined {
    let value = input;
    // JSON.stringify also asks a bigint for toJSON; the strict form refuses a bigint either way.
    if (value !== null && (typeof value === 'object' || (this.asStored && typeof value === 'bigint'))) {
      const toJSON = (value as { toJSON?: unknown }).toJSON;
      if (typeof toJSON === 'function') value = (toJSON as (key: string) => unknown).call(value, key);
    }
    switch (typeof value) {
      case 'string':
        return quoted(value);
      case 'number':
        if (Number.isFinite(value)) return JSON.stringify(value);
        if (this.asStored) return 'null';
        throw new CanonicalJsonError(`cannot canonicalize the number ${String(value)}`, pointer(this.keys));
      case 'boolean':
        return value ? 'true' : 'false';
      case 'undefined':
        return undefined;
      case 'object':
        return value === null ? 'null' : this.object(value);
      case 'bigint':
        if (this.asStored) throw new TypeError('Do not know how to serialize a BigInt');
        throw new CanonicalJsonError('cannot canonicalize a bigint', pointer(this.keys));
      case 'function':
        if (this.asStored) return undefined;
        throw new CanonicalJsonError('cannot canonicalize a function', pointer(this.keys));
      case 'symbol':
        if (this.asStored) return undefined;
        throw new CanonicalJsonError('cannot canonicalize a symbol', pointer(this.keys));
    }
  }

  private object(obj: object): string | undefined {
    if (this.asStored) {
      // JSON.stringify prints a boxed primitive as the primitive.
      if (obj instanceof Number) return this.serialize(Number(obj), '');
      if (obj instanceof String) return quoted(String(obj));
      if (obj instanceof Boolean) return obj.valueOf() ? 'true' : 'false';
    } else if (obj instanceof Map || obj instanceof Set || ArrayBuffer.isView(obj) || obj instanceof ArrayBuffer) {
      throw new CanonicalJsonError(`cannot canonicalize a ${obj.constructor.name}`, pointer(this.keys));
    }
    if (this.ancestors.includes(obj)) {
      if (this.asStored) throw new TypeError('Converting circular structure to JSON');
      throw new CanonicalJsonError('cannot canonicalize a cyclic structure', pointer(this.keys));
    }
    this.ancestors.push(obj);
    try {
      return Array.isArray(obj) ? this.array(obj) : this.members(obj as Record<string, unknown>);
    } finally {
      this.ancestors.pop();
    }
  }

  private array(items: unknown[]): string {
    let out = '[';
    for (let i = 0; i < items.length; i++) {
      this.keys.push(i);
      out += (i > 0 ? ',' : '') + (this.serialize(items[i], String(i)) ?? 'null');
      this.keys.pop();
    }
    return `${out}]`;
  }

  private members(obj: Record<string, unknown>): string {
    let out = '{';
    let first = true;
    for (const k of sortedByCodeUnits(Object.keys(obj))) {
      this.keys.push(k);
      const member = this.serialize(obj[k], k);
      this.keys.pop();
      if (member === undefined) continue;
      out += memberName(k, first);
      out += member;
      first = false;
    }
    return out + '}';
  }
}

/** A character JSON.stringify writes escaped: `"`, `\\`, a control character or a (possibly lone) surrogate. */
// eslint-disable-next-line no-control-regex
const NEEDS_ESCAPE = /["\\\u0000-\u001f\ud800-\udfff]/;

/**
 * JSON.stringify of a string. The audit service canonicalizes every event it chains, and most
 * strings need no escape: those are quoted around the original (no copy of their characters).
 */
function quoted(s: string): string {
  return NEEDS_ESCAPE.test(s) ? JSON.stringify(s) : '"' + s + '"';
}

/**
 * Member names kept with their serialized openings at most, and the longest name kept: an event
 * may carry objects whose names the agent chose (headers, labels), so what the table may hold is
 * bounded (about a megabyte); other names are built each time.
 */
const MEMBER_NAMES_MAX = 4096;
const MEMBER_NAME_MAX_LENGTH = 64;
/** Member name → [`"name":`, `,"name":`]. */
const memberNames = new Map<string, readonly [string, string]>();

/**
 * A member's name as it opens the member (`"name":`, after a comma unless it is the first). Every
 * string concatenation allocates a string, and the audit service canonicalizes every event it
 * chains: building each member's opening anew was the largest share of what it allocated, and so
 * of its young collections. An event's objects use a handful of names over and over: each opening
 * is built once (for the first MEMBER_NAMES_MAX names up to MEMBER_NAME_MAX_LENGTH long), and a
 * member costs two concatenations instead of six.
 */
function memberName(k: string, first: boolean): string {
  let named = memberNames.get(k);
  if (named === undefined) {
    const opening = `${quoted(k)}:`;
    named = [opening, `,${opening}`];
    // Never cleared: a table that loses entries keeps replaced ones alive (the bus's perRequestTable).
    if (memberNames.size < MEMBER_NAMES_MAX && k.length <= MEMBER_NAME_MAX_LENGTH) memberNames.set(k, named);
  }
  return first ? named[0] : named[1];
}

/** Above this many members the built-in sort; below, an insertion sort that allocates nothing. */
const INSERTION_SORT_MAX = 24;

/**
 * Sorts member names in place by their UTF-16 code units, as JCS requires (what `<` on strings and
 * the default `sort()` compare). An event's objects have a handful of members, and the built-in
 * sort allocates its work arrays for every one of them.
 */
function sortedByCodeUnits(keys: string[]): string[] {
  if (keys.length > INSERTION_SORT_MAX) return keys.sort();
  for (let i = 1; i < keys.length; i++) {
    const k = keys[i] as string;
    let j = i - 1;
    while (j >= 0 && (keys[j] as string) > k) {
      keys[j + 1] = keys[j] as string;
      j--;
    }
    keys[j + 1] = k;
  }
  return keys;
}
