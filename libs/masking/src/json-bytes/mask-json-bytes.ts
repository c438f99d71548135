import { isUtf8 } from 'node:buffer';
import { isBareSecretFlag, maskedFlagAssignment } from '../command-flags';
import { LAST_APPLIED_ANNOTATION, MASK, MASKED_BASE64 } from '../constants';
import { childIsCredential, credentialColumns } from '../credential-keys';
import type { CleanStrings, TextEngine } from '../detectors';
import { childPath, MAX_DEPTH, maskableCredential, ObjectMasker, textEngineFor } from '../mask-object';
import { matchesAny, type CompiledProfile, type MaskRule } from '../profile';
import { ReportBuilder } from '../report';
import { ByteOutput } from './byte-output';
import { isArrayIndexKey, JsonLexer, NeedsTree } from './json-lexer';
import { CLOSE_BRACE, CLOSE_BRACKET, COLON, COMMA, OPEN_BRACE, OPEN_BRACKET, QUOTE } from './json-punctuation';
import { ObjectFacts } from './object-facts';

/**
 * Document-mode masking without an object tree: one pass over the bytes that validates the JSON,
 * follows the key path, decodes only what a rule needs (keys, the string leaves the detectors scan,
 * a `kind`), and writes the masked document as it goes. Secret data values are never decoded.
 *
 * The output is byte for byte what the tree masker writes (JSON.parse, maskObject, JSON.stringify):
 * whitespace is dropped, strings with escapes and non-canonical numbers are re-serialised as
 * JSON.stringify writes them. Where it could not mirror the tree masker (duplicate keys, keys that
 * are array indexes, invalid UTF-8, nesting beyond MAX_DEPTH, anything not JSON) it raises
 * NeedsTree and the caller uses the tree masker, which also gives the reference error.
 *
 * Each method mirrors the ObjectMasker method of the same name; the depth passed along is the same.
 */

interface Ctx {
  impliedKind?: string;
  /** The array is a `command` or `args` (secret flags). */
  flags?: boolean;
  credential?: boolean;
  table?: { at: 'rows' | 'row' | 'cells'; columns: ReadonlySet<number> };
}

const NONE: Ctx = Object.freeze({});
const CREDENTIAL: Ctx = Object.freeze({ credential: true });

const Q_MASK = JSON.stringify(MASK);
const Q_MASKED_BASE64 = JSON.stringify(MASKED_BASE64);

const identifiers = new Map<string, boolean>();

/** The test childPath() makes, memoised: the same keys name the hits of every item of a list. */
function isPathIdentifier(key: string): boolean {
  let r = identifiers.get(key);
  if (r === undefined) {
    r = childPath('', key) === key;
    if (identifiers.size >= 4096) identifiers.clear();
    identifiers.set(key, r);
  }
  return r;
}

/**
 * Per object nesting level: its facts and its key set, reused from one object (and one document)
 * to the next instead of allocated per object. Module-wide: a masker runs to completion before
 * another starts on this thread (the tree masker it calls for last-applied does not use these).
 */
const levelFacts: ObjectFacts[] = [];
const levelKeys: KeySet[] = [];

/** Keys of one object, to refuse duplicates (JSON.parse keeps the last value at the first place). */
class KeySet {
  private readonly list: string[] = [];
  private set: Set<string> | undefined;

  reset(): void {
    this.list.length = 0;
    this.set = undefined;
  }

  /** False when the key was already there. */
  add(key: string): boolean {
    if (this.set) {
      if (this.set.has(key)) return false;
      this.set.add(key);
      return true;
    }
    const l = this.list;
    for (let i = 0; i < l.length; i++) if (l[i] === key) return false;
    l.push(key);
    if (l.length > 16) this.set = new Set(l);
    return true;
  }
}

export class JsonBytesMasker {
  private readonly lx: JsonLexer;
  private readonly b: Buffer;
  private readonly out: ByteOutput;
  private readonly engine: TextEngine;
  private readonly idle: boolean;
  private readonly s: boolean;
  /** The key path of the value being masked; turned into a report path only on a hit. */
  private readonly segs: (string | number)[] = [];
  /** Object nesting: facts and key sets are reused per level. */
  private level = -1;
  private readonly facts = levelFacts;
  private readonly keys = levelKeys;
  /** Strings of this document the detectors passed unchanged without a hit (see CleanStrings). */
  private readonly clean: CleanStrings = new Set();
  /** The report path of the string the detectors are scanning, made on its first hit. */
  private scanPath: string | undefined;
  private readonly onDetectorHit = (rule: MaskRule): void => {
    this.scanPath ??= this.path();
    this.report.hit(rule, this.scanPath);
  };

  constructor(
    bytes: Buffer,
    private readonly c: CompiledProfile,
    private readonly report: ReportBuilder,
  ) {
    this.b = bytes;
    this.lx = new JsonLexer(bytes);
    this.out = new ByteOutput(bytes, bytes.length + 256);
    this.engine = textEngineFor(c);
    this.idle = this.engine.idle;
    this.s = c.structural;
  }

  run(): Buffer {
    if (!isUtf8(this.b)) throw new NeedsTree('not valid UTF-8');
    try {
      this.lx.skipWs();
      this.walk(NONE, 0);
      this.lx.skipWs();
      if (!this.lx.atEnd) throw new NeedsTree('trailing bytes');
      return this.out.finish();
    } finally {
      for (const f of this.facts) f.release();
    }
  }

  /** childPath() folded over the key path (the report path of the value being masked). */
  private path(): string {
    let p = '';
    for (const s of this.segs) {
      if (typeof s === 'number') p += `[${s}]`;
      else if (isPathIdentifier(s)) p = p === '' ? s : `${p}.${s}`;
      else p += `[${JSON.stringify(s)}]`;
    }
    return p === '' ? '$' : p;
  }

  private hit(rule: MaskRule): void {
    this.report.hit(rule, this.path());
  }

  // --- values ---------------------------------------------------------------------------------

  private walk(ctx: Ctx, depth: number): void {
    if (depth > MAX_DEPTH) throw new NeedsTree('value nested too deeply');
    const c = this.b[this.lx.pos];
    if (c === QUOTE) this.stringValue(ctx);
    else if (c === OPEN_BRACE) this.walkObject(ctx, depth);
    else if (c === OPEN_BRACKET) this.walkArray(ctx, depth);
    else this.scalar();
  }

  /** A number, true, false or null: kept, or re-serialised (`1.0` is written `1`). */
  private scalar(): void {
    const lx = this.lx;
    const start = lx.pos;
    const c = this.b[start];
    if (c === 0x2d || (c !== undefined && c >= 0x30 && c <= 0x39)) {
      const end = lx.numberAt(start);
      if (lx.canonicalNumber) this.out.keep(start, end);
      else this.out.write(JSON.stringify(Number(this.b.toString('latin1', start, end))), true);
      lx.pos = end;
      return;
    }
    const end = lx.literalAt(start);
    this.out.keep(start, end);
    lx.pos = end;
  }

  private stringValue(ctx: Ctx): void {
    const lx = this.lx;
    const start = lx.pos;
    const end = lx.stringAt(start);
    const escaped = lx.escaped;
    const ascii = lx.ascii;
    lx.pos = end + 1;
    if (ctx.credential !== true && this.idle) {
      this.keepString(start, end, escaped, ascii);
      return;
    }
    this.maskDecoded(ctx, start, end, escaped, lx.decode(start, end, escaped, ascii));
  }

  /** walk() of a string already decoded: a credential, or the detectors. */
  private maskDecoded(ctx: Ctx, start: number, end: number, escaped: boolean, s: string): void {
    if (ctx.credential === true && maskableCredential(s)) {
      this.hit('credential-key');
      this.out.write(Q_MASK, true);
      return;
    }
    if (this.idle) {
      this.keepDecoded(start, end, escaped, s);
      return;
    }
    this.scanPath = undefined;
    const masked = this.engine.maskValue(s, this.onDetectorHit, this.clean);
    if (masked === s) this.keepDecoded(start, end, escaped, s);
    else this.out.write(JSON.stringify(masked));
  }

  /** An unchanged string: its bytes when they are already JSON.stringify's form. */
  private keepString(start: number, end: number, escaped: boolean, ascii: boolean): void {
    if (!escaped) this.out.keep(start, end + 1);
    else this.out.write(JSON.stringify(this.lx.decode(start, end, escaped, ascii)));
  }

  private keepDecoded(start: number, end: number, escaped: boolean, s: string): void {
    if (!escaped) this.out.keep(start, end + 1);
    else this.out.write(JSON.stringify(s));
  }

  /** Pass a string, writing `quoted` in its place. */
  private replaceString(quoted: string): void {
    this.lx.pos = this.lx.stringAt(this.lx.pos) + 1;
    this.out.write(quoted, true);
  }

  // --- containers -----------------------------------------------------------------------------

  /** Enter an object at pos. False when it is empty (then it is already passed). */
  private openObject(): boolean {
    const lx = this.lx;
    this.out.keep(lx.pos, lx.pos + 1);
    lx.pos++;
    this.level++;
    if (this.facts.length <= this.level) {
      this.facts.push(new ObjectFacts());
      this.keys.push(new KeySet());
    }
    (this.facts[this.level] as ObjectFacts).reset(lx);
    (this.keys[this.level] as KeySet).reset();
    lx.skipWs();
    if (this.b[lx.pos] === CLOSE_BRACE) {
      this.out.keep(lx.pos, lx.pos + 1);
      lx.pos++;
      this.level--;
      return false;
    }
    return true;
  }

  /** Read a member's key and colon; pos is left at its value. */
  private memberKey(): string {
    const lx = this.lx;
    const start = lx.pos;
    const key = lx.keyAt(start);
    const end = lx.tokenEnd;
    const escaped = lx.escaped;
    if (isArrayIndexKey(key)) throw new NeedsTree('array index key');
    if (!(this.keys[this.level] as KeySet).add(key)) throw new NeedsTree('duplicate key');
    this.keepDecoded(start, end, escaped, key);
    lx.pos = end + 1;
    lx.skipWs();
    if (this.b[lx.pos] !== COLON) throw new NeedsTree('expected a colon');
    this.out.keep(lx.pos, lx.pos + 1);
    lx.pos++;
    lx.skipWs();
    return key;
  }

  /** After a member: true when another follows, false when the object closed. */
  private nextMember(): boolean {
    if (this.nextItem(CLOSE_BRACE, 'expected , or }')) return true;
    this.level--;
    return false;
  }

  /** Enter an array at pos. False when it is empty (then it is already passed). */
  private openArray(): boolean {
    const lx = this.lx;
    this.out.keep(lx.pos, lx.pos + 1);
    lx.pos++;
    lx.skipWs();
    if (this.b[lx.pos] === CLOSE_BRACKET) {
      this.out.keep(lx.pos, lx.pos + 1);
      lx.pos++;
      return false;
    }
    return true;
  }

  /** After an element: true when another follows, false when the array closed. */
  private nextElement(): boolean {
    return this.nextItem(CLOSE_BRACKET, 'expected , or ]');
  }

  /** Past the separator after a member or element: true at a comma, false at `close`. */
  private nextItem(close: number, expected: string): boolean {
    const lx = this.lx;
    lx.skipWs();
    const c = this.b[lx.pos];
    this.out.keep(lx.pos, lx.pos + 1);
    lx.pos++;
    if (c === COMMA) {
      lx.skipWs();
      return true;
    }
    if (c === close) return false;
    throw new NeedsTree(expected);
  }

  // --- the rules (ObjectMasker's methods, over bytes) ------------------------------------------

  private walkArray(ctx: Ctx, depth: number): void {
    if (!this.openArray()) return;
    let itemCtx: Ctx = NONE;
    if (ctx.impliedKind !== undefined || ctx.credential === true || ctx.table?.at === 'rows') {
      itemCtx = {};
      if (ctx.impliedKind !== undefined) itemCtx.impliedKind = ctx.impliedKind;
      if (ctx.credential === true) itemCtx.credential = true;
      if (ctx.table?.at === 'rows') itemCtx.table = { at: 'row', columns: ctx.table.columns };
    }
    const cells = ctx.table?.at === 'cells' ? ctx.table.columns : undefined;
    const flags = this.s && ctx.flags === true;
    const names = this.c.envNamePatterns;
    const lx = this.lx;
    let prevBare = false;
    let i = 0;
    do {
      this.segs.push(i);
      const elementCtx = cells?.has(i) === true ? { ...itemCtx, credential: true } : itemCtx;
      if (flags && this.b[lx.pos] === QUOTE) {
        const start = lx.pos;
        const end = lx.stringAt(start);
        const escaped = lx.escaped;
        const s = lx.decode(start, end, escaped, lx.ascii);
        lx.pos = end + 1;
        const assigned = maskedFlagAssignment(s, names);
        const masked = assigned !== undefined && assigned !== null ? assigned : prevBare && s !== MASK ? MASK : undefined;
        prevBare = assigned === undefined && isBareSecretFlag(s, names);
        if (masked !== undefined) {
          this.out.write(JSON.stringify(masked));
          this.hit('command-flag');
        } else {
          if (depth + 1 > MAX_DEPTH) throw new NeedsTree('value nested too deeply');
          this.maskDecoded(elementCtx, start, end, escaped, s);
        }
      } else {
        prevBare = false;
        this.walk(elementCtx, depth + 1);
      }
      this.segs.pop();
      i++;
    } while (this.nextElement());
  }

  private walkObject(ctx: Ctx, depth: number): void {
    if (!this.openObject()) return;
    const f = this.facts[this.level] as ObjectFacts;
    const s = this.s;
    const lx = this.lx;
    do {
      const key = this.memberKey();
      const v = lx.pos;
      f.record(key, v);
      this.segs.push(key);
      this.member(f, ctx, key, v, depth, s);
      this.segs.pop();
      if (f.columnsStart === v) f.columnsEnd = lx.pos;
    } while (this.nextMember());
  }

  private member(f: ObjectFacts, ctx: Ctx, key: string, v: number, depth: number, s: boolean): void {
    const c = this.b[v];
    if (s) {
      if ((key === 'data' || key === 'stringData') && this.isSecret(f, ctx, v)) {
        if (key === 'data') this.maskAllValues(Q_MASKED_BASE64, 'secret-data', depth);
        else this.maskAllValues(Q_MASK, 'secret-string-data', depth);
        return;
      }
      if ((key === 'data' || key === 'binaryData') && c === OPEN_BRACE && f.kindOr(ctx.impliedKind, v) === 'ConfigMap') {
        this.maskConfigMapData(key === 'binaryData' ? Q_MASKED_BASE64 : Q_MASK, depth);
        return;
      }
      if (key === 'value' && c === QUOTE && this.b[v + 1] !== QUOTE) {
        const name = f.ownName(v);
        if (name !== undefined && matchesAny(this.c.envNamePatterns, name)) {
          this.replaceString(Q_MASK);
          this.hit('env-value');
          return;
        }
      }
      if (key === 'metadata' && c === OPEN_BRACE) {
        this.walkMetadata(depth + 1);
        return;
      }
    }
    this.walk(this.childCtx(f, ctx, key, v, s), depth + 1);
  }

  private isSecret(f: ObjectFacts, ctx: Ctx, v: number): boolean {
    const kind = f.kindOr(ctx.impliedKind, v);
    return kind === 'Secret' || (kind === undefined && f.looksLikeSecret(v));
  }

  private childCtx(f: ObjectFacts, ctx: Ctx, key: string, v: number, s: boolean): Ctx {
    let impliedKind: string | undefined;
    if (key === 'items') {
      const own = f.ownKind(v);
      if (own !== undefined && own !== 'List' && own.endsWith('List')) impliedKind = own.slice(0, -4);
    }
    const credential = s && childIsCredential(this.c.credentialKeys, key, ctx.credential === true);
    let table: Ctx['table'];
    if (s && key === 'rows' && f.kindOr(ctx.impliedKind, v) === 'Table') table = { at: 'rows', columns: credentialColumns(f.columns(v), this.c.credentialKeys) };
    if (s && key === 'cells' && ctx.table?.at === 'row') table = { at: 'cells', columns: ctx.table.columns };
    const flags = key === 'command' || key === 'args';
    if (impliedKind === undefined && !credential && table === undefined && !flags) return NONE;
    const out: Ctx = {};
    if (impliedKind !== undefined) out.impliedKind = impliedKind;
    if (credential) out.credential = true;
    if (table !== undefined) out.table = table;
    if (flags) out.flags = true;
    return out;
  }

  /** Secret data/stringData: every value replaced; null kept; any other shape scrubbed whole. */
  private maskAllValues(replacement: string, rule: MaskRule, depth: number): void {
    const c = this.b[this.lx.pos];
    if (c === 0x6e) {
      this.scalar(); // null
      return;
    }
    if (c !== OPEN_BRACE) {
      this.scrub(replacement, rule, depth);
      return;
    }
    if (!this.openObject()) return;
    do {
      this.segs.push(this.memberKey());
      this.scrub(replacement, rule, depth + 1);
      this.segs.pop();
    } while (this.nextMember());
  }

  /** Every string leaf replaced (empty ones kept), every number made 0; keys and other types kept. */
  private scrub(replacement: string, rule: MaskRule, depth: number): void {
    if (depth > MAX_DEPTH) throw new NeedsTree('value nested too deeply');
    const lx = this.lx;
    const c = this.b[lx.pos];
    if (c === QUOTE) {
      const start = lx.pos;
      const end = lx.stringAt(start);
      lx.pos = end + 1;
      if (end === start + 1) this.out.keep(start, end + 1);
      else {
        this.hit(rule);
        this.out.write(replacement, true);
      }
      return;
    }
    if (c === OPEN_BRACKET) {
      if (!this.openArray()) return;
      let i = 0;
      do {
        this.segs.push(i++);
        this.scrub(replacement, rule, depth + 1);
        this.segs.pop();
      } while (this.nextElement());
      return;
    }
    if (c === OPEN_BRACE) {
      if (!this.openObject()) return;
      do {
        this.segs.push(this.memberKey());
        this.scrub(replacement, rule, depth + 1);
        this.segs.pop();
      } while (this.nextMember());
      return;
    }
    if (c === 0x2d || (c !== undefined && c >= 0x30 && c <= 0x39)) {
      lx.pos = lx.numberAt(lx.pos);
      this.hit(rule);
      this.out.write('0', true);
      return;
    }
    this.scalar(); // true, false, null
  }

  private maskConfigMapData(replacement: string, depth: number): void {
    if (!this.openObject()) return;
    do {
      const k = this.memberKey();
      this.segs.push(k);
      if (matchesAny(this.c.configMapKeyPatterns, k) || this.c.credentialKeys.matches(k)) this.scrub(replacement, 'configmap-key', depth + 1);
      else this.walk(NONE, depth + 1);
      this.segs.pop();
    } while (this.nextMember());
  }

  private walkMetadata(depth: number): void {
    if (!this.openObject()) return;
    do {
      const key = this.memberKey();
      this.segs.push(key);
      if (key === 'annotations' && this.b[this.lx.pos] === OPEN_BRACE) this.walkAnnotations(depth);
      else {
        const credential = this.c.credentialKeys.matches(key);
        const flags = key === 'command' || key === 'args';
        this.walk(credential || flags ? { credential, flags } : NONE, depth + 1);
      }
      this.segs.pop();
    } while (this.nextMember());
  }

  private walkAnnotations(depth: number): void {
    if (!this.openObject()) return;
    const lx = this.lx;
    do {
      const a = this.memberKey();
      this.segs.push(a);
      if (a === LAST_APPLIED_ANNOTATION && this.b[lx.pos] === QUOTE) {
        const start = lx.pos;
        const end = lx.stringAt(start);
        const escaped = lx.escaped;
        const text = lx.decode(start, end, escaped, lx.ascii);
        lx.pos = end + 1;
        let raw = '';
        for (const s of this.segs) raw = childPath(raw, s);
        const masked = new ObjectMasker(this.c, this.report).maskLastApplied(text, raw, depth + 1);
        if (masked === text) this.keepDecoded(start, end, escaped, text);
        else this.out.write(JSON.stringify(masked));
      } else {
        this.walk(this.c.credentialKeys.matches(a) ? CREDENTIAL : NONE, depth + 2);
      }
      this.segs.pop();
    } while (this.nextMember());
  }
}

/**
 * Mask a JSON document's bytes in one pass. Throws NeedsTree where only the tree masker can give
 * the reference result (see the file comment); maskJsonDocument handles that.
 */
export function maskJsonBytesOnly(bytes: Buffer, c: CompiledProfile): { output: Buffer; report: ReportBuilder } {
  const report = new ReportBuilder();
  const output = new JsonBytesMasker(bytes, c, report).run();
  return { output, report };
}
