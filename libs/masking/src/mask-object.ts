import { LAST_APPLIED_ANNOTATION, MASK, MASKED_BASE64, MaskingFailed } from './constants';
import { isBareSecretFlag, maskedFlagAssignment } from './command-flags';
import { childIsCredential, credentialColumns } from './credential-keys';
import { TextEngine } from './detectors';
import { compileProfile, matchesAny, type CompiledProfile, type MaskingProfile, type MaskRule } from './profile';
import { ReportBuilder, type MaskReport } from './report';

/** Deeper than any Kubernetes object; deeper input fails closed instead of overflowing the stack. */
export const MAX_DEPTH = 512;

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
type Obj = Record<string, unknown>;

function isPlainObject(v: unknown): v is Obj {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) return false;
  const proto: unknown = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}

/** `.key` or `["key"]`; the root is `$` only when nothing else names it. */
export function childPath(parent: string, key: string | number): string {
  if (typeof key === 'number') return `${parent}[${key}]`;
  if (/^[A-Za-z_$][A-Za-z0-9_$-]*$/.test(key)) return parent === '' ? key : `${parent}.${key}`;
  return `${parent}[${JSON.stringify(key)}]`;
}

function displayPath(path: string): string {
  return path === '' ? '$' : path;
}

/** Assign without letting a `__proto__` key from JSON.parse change the prototype. */
function setOwn(o: Obj, k: string, v: unknown): void {
  if (k === '__proto__') Object.defineProperty(o, k, { value: v, enumerable: true, writable: true, configurable: true });
  else o[k] = v;
}

interface Ctx {
  /** The kind of a list's items when they carry none (`SecretList` items are Secrets). */
  impliedKind?: string;
  /** The key this value sits under in its parent object. */
  parentKey?: string;
  /** Held under a credential-named key (directly, or inside a credential-named object or array). */
  credential?: boolean;
  /** Inside a Table: the `rows` array, one row, or a row's `cells`, with the columns that show credentials. */
  table?: { at: 'rows' | 'row' | 'cells'; columns: ReadonlySet<number> };
}

/** Empty, already masked, or a boolean spelled as a string (`"true"` in an annotation): not a credential. */
export function maskableCredential(s: string): boolean {
  return s !== '' && s !== MASK && !/^(?:true|false)$/i.test(s);
}

const engines = new WeakMap<CompiledProfile, TextEngine>();

/** One engine per profile, reset for each string value (JavaScript is single-threaded). */
export function textEngineFor(c: CompiledProfile): TextEngine {
  let e = engines.get(c);
  if (!e) {
    e = new TextEngine(c);
    engines.set(c, e);
  }
  return e;
}

/** Walks one JSON value; all hits go to one report. */
export class ObjectMasker {
  constructor(
    private readonly c: CompiledProfile,
    private readonly report: ReportBuilder,
    /** Prefix for report paths (e.g. `events[3].` for a watch stream). */
    private readonly pathPrefix = '',
  ) {}

  mask(value: unknown): unknown {
    return this.walk(value, '', {}, 0);
  }

  private hit(rule: MaskRule, path: string): void {
    this.report.hit(rule, this.pathPrefix + displayPath(path));
  }

  private walk(v: unknown, path: string, ctx: Ctx, depth: number): unknown {
    if (depth > MAX_DEPTH) throw new MaskingFailed('value nested too deeply to mask');
    switch (typeof v) {
      case 'string':
        if (ctx.credential === true && maskableCredential(v)) {
          this.hit('credential-key', path);
          return MASK;
        }
        return this.maskString(v, path);
      case 'number':
      case 'boolean':
      case 'undefined':
        return v;
      case 'object':
        if (v === null) return v;
        if (Array.isArray(v)) return this.walkArray(v, path, ctx, depth);
        if (isPlainObject(v)) return this.walkObject(v, path, ctx, depth);
        throw new MaskingFailed('cannot mask a non-JSON object');
      default:
        throw new MaskingFailed(`cannot mask a value of type ${typeof v}`);
    }
  }

  maskString(s: string, path: string): string {
    const engine = textEngineFor(this.c);
    if (engine.idle) return s;
    return engine.maskValue(s, (rule) => this.hit(rule, path));
  }

  private walkArray(a: unknown[], path: string, ctx: Ctx, depth: number): unknown[] {
    const out: unknown[] = new Array<unknown>(a.length);
    const itemCtx: Ctx = ctx.impliedKind === undefined ? {} : { impliedKind: ctx.impliedKind };
    if (ctx.credential === true) itemCtx.credential = true;
    if (ctx.table?.at === 'rows') itemCtx.table = { at: 'row', columns: ctx.table.columns };
    const cells = ctx.table?.at === 'cells' ? ctx.table.columns : undefined;
    const masked = this.c.structural && (ctx.parentKey === 'command' || ctx.parentKey === 'args') ? this.flagMask(a) : undefined;
    for (let i = 0; i < a.length; i++) {
      const p = childPath(path, i);
      if (masked?.[i] !== undefined) {
        out[i] = masked[i];
        this.hit('command-flag', p);
      } else {
        out[i] = this.walk(a[i], p, cells?.has(i) === true ? { ...itemCtx, credential: true } : itemCtx, depth + 1);
      }
    }
    return out;
  }

  /**
   * `--password=x` / `-token=x` keep the flag and mask the value; `--password x` (two elements) masks
   * the next element whole, whatever it looks like (fails closed: `--auth --token t` masks both).
   * Returns the replacement per index (undefined: not a secret flag).
   */
  private flagMask(a: unknown[]): (string | undefined)[] {
    const out: (string | undefined)[] = new Array<string | undefined>(a.length).fill(undefined);
    for (let i = 0; i < a.length; i++) {
      const s = a[i];
      if (typeof s !== 'string') continue;
      const assigned = maskedFlagAssignment(s, this.c.envNamePatterns);
      if (assigned !== undefined) {
        if (assigned !== null) out[i] = assigned;
        continue;
      }
      const next = a[i + 1];
      if (typeof next === 'string' && next !== MASK && isBareSecretFlag(s, this.c.envNamePatterns)) out[i + 1] = MASK;
    }
    return out;
  }

  private walkObject(o: Obj, path: string, ctx: Ctx, depth: number): Obj {
    const kind = typeof o['kind'] === 'string' ? (o['kind'] as string) : ctx.impliedKind;
    const s = this.c.structural;
    const isSecret = s && (kind === 'Secret' || (kind === undefined && looksLikeSecret(o)));
    const isConfigMap = s && kind === 'ConfigMap';
    const itemKind = typeof o['kind'] === 'string' && kind !== 'List' && kind?.endsWith('List') ? kind.slice(0, -4) : undefined;
    const secretNamedPair = s && typeof o['name'] === 'string' && matchesAny(this.c.envNamePatterns, o['name']);

    const out: Obj = {};
    for (const key of Object.keys(o)) {
      const v = o[key];
      const p = childPath(path, key);
      let r: unknown;
      if (isSecret && key === 'data') r = this.maskAllValues(v, p, MASKED_BASE64, 'secret-data', depth);
      else if (isSecret && key === 'stringData') r = this.maskAllValues(v, p, MASK, 'secret-string-data', depth);
      else if (isConfigMap && (key === 'data' || key === 'binaryData') && isPlainObject(v))
        r = this.maskConfigMapData(v, p, key === 'binaryData' ? MASKED_BASE64 : MASK, depth);
      else if (secretNamedPair && key === 'value' && typeof v === 'string' && v !== '') {
        r = MASK;
        this.hit('env-value', p);
      } else if (s && key === 'metadata' && isPlainObject(v)) r = this.walkMetadata(v, p, depth + 1);
      else {
        const childCtx: Ctx = { parentKey: key };
        if (key === 'items' && itemKind !== undefined) childCtx.impliedKind = itemKind;
        if (s && childIsCredential(this.c.credentialKeys, key, ctx.credential === true)) childCtx.credential = true;
        if (s && key === 'rows' && kind === 'Table') childCtx.table = { at: 'rows', columns: credentialColumns(o['columnDefinitions'], this.c.credentialKeys) };
        if (s && key === 'cells' && ctx.table?.at === 'row') childCtx.table = { at: 'cells', columns: ctx.table.columns };
        r = this.walk(v, p, childCtx, depth + 1);
      }
      setOwn(out, key, r);
    }
    return out;
  }

  /** Every value of Secret data/stringData. Keys are kept; non-object shapes are scrubbed whole. */
  private maskAllValues(v: unknown, path: string, replacement: string, rule: MaskRule, depth: number): unknown {
    if (v === null || v === undefined) return v;
    if (!isPlainObject(v)) return this.scrub(v, path, replacement, rule, depth);
    const out: Obj = {};
    for (const k of Object.keys(v)) setOwn(out, k, this.scrub(v[k], childPath(path, k), replacement, rule, depth + 1));
    return out;
  }

  /** Replace every string (and number) leaf, keeping keys and types. */
  private scrub(v: unknown, path: string, replacement: string, rule: MaskRule, depth: number): unknown {
    if (depth > MAX_DEPTH) throw new MaskingFailed('value nested too deeply to mask');
    if (typeof v === 'string') {
      if (v === '') return v;
      this.hit(rule, path);
      return replacement;
    }
    if (typeof v === 'number') {
      this.hit(rule, path);
      return 0;
    }
    if (Array.isArray(v)) return v.map((x, i) => this.scrub(x, childPath(path, i), replacement, rule, depth + 1));
    if (isPlainObject(v)) {
      const out: Obj = {};
      for (const k of Object.keys(v)) setOwn(out, k, this.scrub(v[k], childPath(path, k), replacement, rule, depth + 1));
      return out;
    }
    if (v === null || v === undefined || typeof v === 'boolean') return v;
    throw new MaskingFailed('cannot mask a non-JSON value');
  }

  private maskConfigMapData(d: Obj, path: string, replacement: string, depth: number): Obj {
    const out: Obj = {};
    for (const k of Object.keys(d)) {
      const p = childPath(path, k);
      const v = d[k];
      setOwn(
        out,
        k,
        matchesAny(this.c.configMapKeyPatterns, k) || this.c.credentialKeys.matches(k)
          ? this.scrub(v, p, replacement, 'configmap-key', depth + 1)
          : this.walk(v, p, {}, depth + 1),
      );
    }
    return out;
  }

  private walkMetadata(m: Obj, path: string, depth: number): Obj {
    const out: Obj = {};
    for (const key of Object.keys(m)) {
      const v = m[key];
      const p = childPath(path, key);
      if (key === 'annotations' && isPlainObject(v)) {
        const ann: Obj = {};
        for (const a of Object.keys(v)) {
          const av = v[a];
          const ap = childPath(p, a);
          const annCtx: Ctx = this.c.credentialKeys.matches(a) ? { credential: true } : {};
          setOwn(ann, a, a === LAST_APPLIED_ANNOTATION && typeof av === 'string' ? this.maskLastApplied(av, ap, depth + 1) : this.walk(av, ap, annCtx, depth + 2));
        }
        setOwn(out, key, ann);
      } else {
        const childCtx: Ctx = { parentKey: key };
        if (this.c.credentialKeys.matches(key)) childCtx.credential = true;
        setOwn(out, key, this.walk(v, p, childCtx, depth + 1));
      }
    }
    return out;
  }

  /**
   * The annotation is parsed and masked with the same rules (hits reported as `<annotation path>#<inner path>`),
   * then re-serialised. Not JSON: replaced whole by MASK. Nothing masked: the original text is kept.
   */
  maskLastApplied(text: string, path: string, depth: number): string {
    let parsed: Json;
    try {
      parsed = JSON.parse(text) as Json;
    } catch {
      this.hit('last-applied-configuration', path);
      return MASK;
    }
    const before = this.report.total;
    const inner = new ObjectMasker(this.c, this.report, `${this.pathPrefix}${displayPath(path)}#`);
    const masked = inner.walkNested(parsed, depth);
    if (this.report.total === before) return text;
    return JSON.stringify(masked) + (text.endsWith('\n') ? '\n' : '');
  }

  /** Entry point for nested documents, carrying the depth budget along. */
  walkNested(v: unknown, depth: number): unknown {
    return this.walk(v, '', {}, depth + 1);
  }
}

/** A Secret that lost its `kind` (list items of an untyped list): metadata, a string `type` and data. */
function looksLikeSecret(o: Obj): boolean {
  return isPlainObject(o['metadata']) && typeof o['type'] === 'string' && (isPlainObject(o['data']) || isPlainObject(o['stringData']));
}

/**
 * Mask any Kubernetes JSON value: a single object, a List (`items[]`, incl. typed lists whose items
 * carry no kind), a Table (`rows[].object`), a WatchEvent (`{type, object}`) — or any JSON at all.
 * The input is not modified. Throws MaskingFailed when the value cannot be masked with confidence.
 */
export function maskObject(value: unknown, profile: MaskingProfile): { value: unknown; report: MaskReport } {
  const report = new ReportBuilder();
  const masked = maskInto(value, compileProfile(profile), report, '');
  return { value: masked, report: report.snapshot() };
}

export function maskInto(value: unknown, c: CompiledProfile, report: ReportBuilder, pathPrefix: string): unknown {
  try {
    return new ObjectMasker(c, report, pathPrefix).mask(value);
  } catch (e) {
    if (e instanceof MaskingFailed) throw e;
    // e.g. RangeError: never carry the original error along, its message could quote input.
    throw new MaskingFailed('masking failed unexpectedly');
  }
}
