/**
 * Validity check for a Kubernetes label selector, ported from k8s.io/apimachinery/pkg/labels
 * (Lexer, Parser, NewRequirement). Only "does labels.Parse succeed?" matters to us: when it
 * fails, the API server's RequestInfo falls back to default ListOptions and ignores the
 * fieldSelector, so a metadata.name there must not become the request's name.
 */

enum Tok {
  Error,
  EndOfString,
  ClosedPar,
  Comma,
  DoesNotExist,
  DoubleEquals,
  Equals,
  GreaterThan,
  Identifier,
  In,
  LessThan,
  NotEquals,
  NotIn,
  OpenPar,
}

const STRING_TO_TOKEN: ReadonlyMap<string, Tok> = new Map([
  [')', Tok.ClosedPar],
  [',', Tok.Comma],
  ['!', Tok.DoesNotExist],
  ['==', Tok.DoubleEquals],
  ['=', Tok.Equals],
  ['>', Tok.GreaterThan],
  ['in', Tok.In],
  ['<', Tok.LessThan],
  ['!=', Tok.NotEquals],
  ['notin', Tok.NotIn],
  ['(', Tok.OpenPar],
]);

const isWhitespace = (ch: string): boolean => ch === ' ' || ch === '\t' || ch === '\r' || ch === '\n';
const isSpecialSymbol = (ch: string): boolean => '=!(),><'.includes(ch) && ch !== '';

/** Go's lexer reads bytes and uses 0 as its end marker, so a NUL also ends a token. */
function lex(s: string): Array<[Tok, string]> {
  let pos = 0;
  const read = (): string => (pos++ < s.length ? (s[pos - 1] ?? '\0') : '\0');
  const unread = (): void => void pos--;
  const out: Array<[Tok, string]> = [];
  for (;;) {
    let ch = read();
    while (isWhitespace(ch)) ch = read();
    if (ch === '\0') {
      out.push([Tok.EndOfString, '']);
      return out;
    }
    unread();
    let buf = '';
    if (isSpecialSymbol(ch)) {
      // Longest run of symbols that still forms a known operator ("!=", "==", ...).
      let last: [Tok, string] | undefined;
      for (;;) {
        const c = read();
        if (c === '\0') break;
        if (!isSpecialSymbol(c)) {
          unread();
          break;
        }
        buf += c;
        const t = STRING_TO_TOKEN.get(buf);
        if (t !== undefined) last = [t, buf];
        else if (last) {
          unread();
          break;
        }
      }
      out.push(last ?? [Tok.Error, buf]);
    } else {
      for (;;) {
        const c = read();
        if (c === '\0') break;
        if (isSpecialSymbol(c) || isWhitespace(c)) {
          unread();
          break;
        }
        buf += c;
      }
      out.push([STRING_TO_TOKEN.get(buf) ?? Tok.Identifier, buf]);
    }
  }
}

const QUALIFIED_NAME = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;
const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;

/** validation.IsQualifiedName */
function isQualifiedName(key: string): boolean {
  const parts = key.split('/');
  if (parts.length > 2) return false;
  const name = parts.length === 2 ? (parts[1] ?? '') : key;
  if (parts.length === 2) {
    const prefix = parts[0] ?? '';
    if (prefix.length === 0 || prefix.length > 253 || !DNS1123_SUBDOMAIN.test(prefix)) return false;
  }
  return name.length > 0 && name.length <= 63 && QUALIFIED_NAME.test(name);
}

/** validation.IsValidLabelValue */
const isLabelValue = (v: string): boolean => v.length <= 63 && LABEL_VALUE.test(v);

/** strconv.ParseInt(v, 10, 64) succeeds. */
export function isInt64(v: string): boolean {
  if (!/^[+-]?[0-9]+$/.test(v)) return false;
  const n = BigInt(v);
  return n >= -(2n ** 63n) && n < 2n ** 63n;
}

/** True when labels.Parse(selector) would succeed. */
export function isValidLabelSelector(selector: string): boolean {
  const toks = lex(selector);
  let p = 0;
  // In the "Values" parser context the keywords in/notin are plain identifiers.
  const asValue = (t: Tok): Tok => (t === Tok.In || t === Tok.NotIn ? Tok.Identifier : t);
  const peek = (): Tok => asValue(toks[p]?.[0] ?? Tok.EndOfString);
  const next = (values = true): [Tok, string] => {
    const [t, lit] = toks[p++] ?? [Tok.EndOfString, ''];
    return [values ? asValue(t) : t, lit];
  };

  const parseValues = (): string[] | undefined => {
    if (next()[0] !== Tok.OpenPar) return undefined;
    const first = peek();
    if (first === Tok.ClosedPar) {
      next();
      return [''];
    }
    if (first !== Tok.Identifier && first !== Tok.Comma) return undefined;
    const vals: string[] = [];
    for (;;) {
      const [t, lit] = next();
      if (t === Tok.Identifier) {
        vals.push(lit);
        const t2 = peek();
        if (t2 === Tok.ClosedPar) break;
        if (t2 !== Tok.Comma) return undefined;
      } else if (t === Tok.Comma) {
        vals.push('');
        const t2 = peek();
        if (t2 === Tok.ClosedPar) break;
        if (t2 === Tok.Comma) next();
      } else {
        return undefined;
      }
    }
    return next()[0] === Tok.ClosedPar ? vals : undefined;
  };

  const parseRequirement = (): boolean => {
    let [tok, key] = next();
    const notExists = tok === Tok.DoesNotExist;
    if (notExists) [tok, key] = next();
    if (tok !== Tok.Identifier || !isQualifiedName(key)) return false;
    const ahead = peek();
    if (notExists || ahead === Tok.EndOfString || ahead === Tok.Comma) return true;
    const [op] = next(false);
    let vals: string[] | undefined;
    switch (op) {
      case Tok.In:
      case Tok.NotIn:
        vals = parseValues();
        break;
      case Tok.Equals:
      case Tok.DoubleEquals:
      case Tok.NotEquals:
      case Tok.GreaterThan:
      case Tok.LessThan: {
        const t = peek();
        if (t === Tok.EndOfString || t === Tok.Comma) vals = [''];
        else {
          const [vt, lit] = next();
          vals = vt === Tok.Identifier ? [lit] : undefined;
        }
        if (vals && (op === Tok.GreaterThan || op === Tok.LessThan) && !vals.every(isInt64)) return false;
        break;
      }
      default:
        return false;
    }
    return vals !== undefined && vals.length > 0 && vals.every(isLabelValue);
  };

  for (;;) {
    const t = peek();
    if (t === Tok.EndOfString) return true;
    if (t !== Tok.Identifier && t !== Tok.DoesNotExist) return false;
    if (!parseRequirement()) return false;
    const [after] = next();
    if (after === Tok.EndOfString) return true;
    if (after !== Tok.Comma) return false;
    const t2 = peek();
    if (t2 !== Tok.Identifier && t2 !== Tok.DoesNotExist) return false;
  }
}
