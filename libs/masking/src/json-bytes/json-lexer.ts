import { BACKSLASH, QUOTE } from './json-punctuation';

/**
 * A strict JSON lexer over UTF-8 bytes (RFC 8259, exactly what JSON.parse accepts): it validates
 * and locates tokens without turning them into values, so a string is only decoded when a rule
 * needs it, and unchanged tokens are copied to the output as bytes.
 *
 * Anything it does not accept, or any input it cannot mirror JSON.parse on byte for byte, raises
 * NeedsTree: the caller then masks the document the reference way (parse, walk, serialise), which
 * also produces the reference error for input that is not JSON.
 */

/** The byte masker cannot vouch for identical output here; the tree masker takes over. */
export class NeedsTree extends Error {
  constructor(readonly why: string) {
    super(why);
  }
}

/** String content classes: 0 plain ASCII, 1 needs attention (quote, backslash, control), 2 non-ASCII. */
const STRING_CLASS = new Uint8Array(256);
for (let c = 0; c < 0x20; c++) STRING_CLASS[c] = 1;
STRING_CLASS[QUOTE] = 1;
STRING_CLASS[BACKSLASH] = 1;
for (let c = 0x80; c < 0x100; c++) STRING_CLASS[c] = 2;

const HEX = new Uint8Array(256);
for (const c of '0123456789abcdefABCDEF') HEX[c.charCodeAt(0)] = 1;

/** Simple escapes: \" \\ \/ \b \f \n \r \t. */
const SIMPLE_ESCAPE = new Uint8Array(256);
for (const c of '"\\/bfnrt') SIMPLE_ESCAPE[c.charCodeAt(0)] = 1;

const isDigit = (c: number | undefined): boolean => c !== undefined && c >= 0x30 && c <= 0x39;

/**
 * Decoded keys, by a hash of their bytes: object keys repeat through a list (and from one
 * document to the next), so most are found here instead of being decoded again. Plain ASCII keys
 * only; a slot holds the last key that hashed to it.
 */
const KEY_SLOTS = 4096;
const keyCache: (string | undefined)[] = new Array<string | undefined>(KEY_SLOTS).fill(undefined);

export class JsonLexer {
  pos = 0;
  /** Set by string(): the string had an escape sequence (its raw bytes are not its JSON.stringify form). */
  escaped = false;
  /** Set by string(): every content byte was ASCII. */
  ascii = true;
  /** Set by number(): the token is already what JSON.stringify(JSON.parse(token)) writes. */
  canonicalNumber = true;

  /**
   * The document as 32-bit words, for scanning string content four bytes at a time: word j holds
   * bytes [shift + 4j, shift + 4j + 4) of `b` (the view must start 4-byte aligned).
   */
  private readonly words: Uint32Array;
  private readonly shift: number;

  constructor(readonly b: Buffer) {
    this.shift = (4 - (b.byteOffset & 3)) & 3;
    const count = b.length > this.shift ? (b.length - this.shift) >>> 2 : 0;
    // Fewer bytes than the alignment shift: no words (an aligned start may lie past the end).
    this.words = count > 0 ? new Uint32Array(b.buffer, b.byteOffset + this.shift, count) : new Uint32Array(0);
  }

  /**
   * From `i`, the first index at or after it whose word may hold a byte that ends plain string
   * content (a quote, a backslash, a control character or a non-ASCII byte); `i` itself when not
   * word-aligned. Each test is exact for presence: a word without such a byte is skipped whole.
   */
  private plainWordsFrom(i: number): number {
    const rel = i - this.shift;
    if ((rel & 3) !== 0 || rel < 0) return i;
    const w32 = this.words;
    let j = rel >>> 2;
    const end = w32.length;
    while (j < end) {
      const w = w32[j] as number;
      const q = w ^ 0x22222222;
      const bs = w ^ 0x5c5c5c5c;
      // byte < 0x20 | byte == '"' | byte == '\\' | byte >= 0x80
      if ((((w - 0x20202020) & ~w) | ((q - 0x01010101) & ~q) | ((bs - 0x01010101) & ~bs) | w) & 0x80808080) break;
      j++;
    }
    return this.shift + (j << 2);
  }

  get atEnd(): boolean {
    return this.pos >= this.b.length;
  }

  /** The byte at pos (undefined at the end). */
  peek(): number | undefined {
    return this.b[this.pos];
  }

  skipWs(): void {
    const b = this.b;
    let i = this.pos;
    for (;;) {
      const c = b[i];
      if (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) i++;
      else break;
    }
    this.pos = i;
  }

  expect(byte: number): void {
    if (this.b[this.pos] !== byte) throw new NeedsTree('unexpected byte');
    this.pos++;
  }

  /**
   * A string token starting at `start` (its opening quote). Returns the index of the closing quote
   * and sets `escaped` and `ascii`. Does not move pos.
   */
  stringAt(start: number): number {
    const b = this.b;
    const n = b.length;
    if (b[start] !== QUOTE) throw new NeedsTree('expected a string');
    let i = start + 1;
    let escaped = false;
    let ascii = true;
    for (;;) {
      i = this.plainWordsFrom(i);
      if (i >= n) throw new NeedsTree('unterminated string');
      const cls = STRING_CLASS[b[i] as number];
      if (cls === 0) {
        i++;
        continue;
      }
      if (cls === 2) {
        ascii = false;
        i++;
        continue;
      }
      const c = b[i] as number;
      if (c === QUOTE) break;
      if (c !== BACKSLASH) throw new NeedsTree('control character in string');
      escaped = true;
      const e = b[i + 1];
      if (e !== undefined && SIMPLE_ESCAPE[e] === 1) i += 2;
      else if (e === 0x75 && HEX[b[i + 2] ?? 0] === 1 && HEX[b[i + 3] ?? 0] === 1 && HEX[b[i + 4] ?? 0] === 1 && HEX[b[i + 5] ?? 0] === 1) i += 6;
      else throw new NeedsTree('bad escape');
    }
    this.escaped = escaped;
    this.ascii = ascii;
    return i;
  }

  /**
   * The key whose string token starts at `start`: like stringAt then decode, but plain ASCII keys
   * come from the key cache. Sets `escaped`, `ascii` and `tokenEnd` (the closing quote).
   */
  keyAt(start: number): string {
    const b = this.b;
    if (b[start] !== QUOTE) throw new NeedsTree('expected a string');
    let i = start + 1;
    for (;;) {
      const c = b[i];
      if (c === undefined) throw new NeedsTree('unterminated string');
      if (STRING_CLASS[c] !== 0) break;
      i++;
    }
    if (b[i] !== QUOTE) {
      const end = this.stringAt(start);
      this.tokenEnd = end;
      return this.decode(start, end, this.escaped, this.ascii);
    }
    this.escaped = false;
    this.ascii = true;
    this.tokenEnd = i;
    const len = i - start - 1;
    // Hash of the length and three bytes; the comparison below decides.
    const h = Math.imul(Math.imul(Math.imul(len, 31) ^ (b[start + 1] ?? 0), 31) ^ (b[i - 1] ?? 0), 31) ^ (b[start + 1 + (len >>> 1)] ?? 0);
    const slot = (h >>> 0) & (KEY_SLOTS - 1);
    const cached = keyCache[slot];
    if (cached !== undefined && cached.length === len) {
      let same = true;
      for (let k = 0; k < len; k++) {
        if (cached.charCodeAt(k) !== b[start + 1 + k]) {
          same = false;
          break;
        }
      }
      if (same) return cached;
    }
    const key = b.toString('latin1', start + 1, i);
    keyCache[slot] = key;
    return key;
  }

  /** Set by keyAt(): the index of the key's closing quote. */
  tokenEnd = 0;

  /** The value of a string token (start: opening quote, end: closing quote, as found by stringAt). */
  decode(start: number, end: number, escaped: boolean, ascii: boolean): string {
    if (escaped) return JSON.parse(this.b.toString('utf8', start, end + 1)) as string;
    return this.b.toString(ascii ? 'latin1' : 'utf8', start + 1, end);
  }

  /** A number token at pos; returns its end (exclusive) and sets `canonicalNumber`. Does not move pos. */
  numberAt(start: number): number {
    const b = this.b;
    let i = start;
    if (b[i] === 0x2d) i++;
    const intStart = i;
    if (b[i] === 0x30) i++;
    else if (isDigit(b[i]) ) {
      while (isDigit(b[i])) i++;
    } else throw new NeedsTree('bad number');
    const intDigits = i - intStart;
    let plain = true;
    if (b[i] === 0x2e) {
      plain = false;
      i++;
      if (!isDigit(b[i])) throw new NeedsTree('bad number');
      while (isDigit(b[i])) i++;
    }
    if (b[i] === 0x65 || b[i] === 0x45) {
      plain = false;
      i++;
      if (b[i] === 0x2b || b[i] === 0x2d) i++;
      if (!isDigit(b[i])) throw new NeedsTree('bad number');
      while (isDigit(b[i])) i++;
    }
    // Integers of up to 15 digits are exact doubles and print as written, except -0 (prints 0).
    this.canonicalNumber = plain && intDigits <= 15 && !(intStart > start && b[intStart] === 0x30);
    return i;
  }

  /** `true`, `false` or `null` at pos; returns its end. */
  literalAt(start: number): number {
    const b = this.b;
    const c = b[start];
    if (c === 0x74 && b[start + 1] === 0x72 && b[start + 2] === 0x75 && b[start + 3] === 0x65) return start + 4;
    if (c === 0x66 && b[start + 1] === 0x61 && b[start + 2] === 0x6c && b[start + 3] === 0x73 && b[start + 4] === 0x65) return start + 5;
    if (c === 0x6e && b[start + 1] === 0x75 && b[start + 2] === 0x6c && b[start + 3] === 0x6c) return start + 4;
    throw new NeedsTree('bad literal');
  }

  /**
   * Skip one value at `start` without validating its strings' content (the main pass validates
   * everything it reaches); used to look ahead inside an object. Returns the value's end.
   */
  skipValueAt(start: number): number {
    const b = this.b;
    const n = b.length;
    const c = b[start];
    if (c === QUOTE) return this.skipStringAt(start) + 1;
    if (c === 0x7b || c === 0x5b) {
      let depth = 0;
      let i = start;
      while (i < n) {
        const x = b[i] as number;
        if (x === QUOTE) {
          i = this.skipStringAt(i) + 1;
          continue;
        }
        if (x === 0x7b || x === 0x5b) depth++;
        else if (x === 0x7d || x === 0x5d) {
          depth--;
          if (depth === 0) return i + 1;
        }
        i++;
      }
      throw new NeedsTree('unterminated value');
    }
    if (c === 0x2d || isDigit(c)) return this.numberAt(start);
    return this.literalAt(start);
  }

  /** The closing quote of the string at `start`, found by the quote not preceded by an odd run of backslashes. */
  private skipStringAt(start: number): number {
    const b = this.b;
    let from = start + 1;
    for (;;) {
      const q = b.indexOf(QUOTE, from);
      if (q < 0) throw new NeedsTree('unterminated string');
      let k = q - 1;
      while (b[k] === BACKSLASH) k--;
      if ((q - 1 - k) % 2 === 0) return q;
      from = q + 1;
    }
  }

  /** Skip whitespace from `i`; returns the next non-whitespace index. */
  wsFrom(i: number): number {
    const b = this.b;
    for (;;) {
      const c = b[i];
      if (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) i++;
      else return i;
    }
  }
}

/**
 * A key JSON.parse makes an array index ("0", "17"): objects enumerate those first, in numeric
 * order, so the tree masker would reorder the members.
 */
export function isArrayIndexKey(key: string): boolean {
  const c = key.charCodeAt(0);
  if (c < 0x30 || c > 0x39) return false;
  if (!/^(?:0|[1-9][0-9]{0,9})$/.test(key)) return false;
  return Number(key) < 4294967295;
}
