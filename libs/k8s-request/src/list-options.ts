/**
 * The part of metainternalversion ListOptions decoding that NewRequestInfo depends on when a
 * GET/HEAD has no name: whether it is a watch, and whether fieldSelector pins metadata.name.
 */
import { isInt64, isValidLabelSelector } from './label-selector';
import type { Query } from './path-safety';

export interface ListOptions {
  watch: boolean;
  /** metadata.name required by the fieldSelector, when the whole decode succeeded. */
  fieldSelectorName: string | undefined;
}

/**
 * Decodes ListOptions like ParameterCodec.DecodeParameters, then applies NewRequestInfo's
 * fallback: if ANY parameter fails to decode, options are reset and only "watch" is re-read
 * (with ToLower instead of EqualFold, a difference that only shows for U+017F 'ſ').
 */
export function decodeListOptions(query: Query): ListOptions {
  const first = (key: string): string | undefined => query.get(key)?.[0];
  const watchRaw = first('watch');
  const fieldSelector = first('fieldSelector');
  const labelSelector = first('labelSelector');
  const limit = first('limit');
  const timeoutSeconds = first('timeoutSeconds');

  let name: string | undefined;
  let decoded =
    (limit === undefined || isInt64(limit)) &&
    (timeoutSeconds === undefined || isInt64(timeoutSeconds)) &&
    (labelSelector === undefined || isValidLabelSelector(labelSelector));
  if (decoded && fieldSelector !== undefined) {
    const parsed = requiredExactMatch(fieldSelector, 'metadata.name');
    if (parsed === null) decoded = false;
    else name = parsed;
  }

  if (!decoded) {
    // Fallback path: strings.ToLower(v) is "false"/"0" → list, anything else → watch.
    const watch = watchRaw !== undefined && watchRaw !== '0' && watchRaw.toLowerCase() !== 'false';
    return { watch, fieldSelectorName: undefined };
  }
  // runtime.Convert_Slice_string_To_bool: only "0" or EqualFold(v, "false") are false; even "" is true.
  const watch = watchRaw !== undefined && watchRaw !== '0' && !/^false$/iu.test(watchRaw);
  // path.IsValidPathSegmentName: a name that cannot be a path segment is not used as the name.
  if (name !== undefined && (name === '.' || name === '..' || name.includes('/') || name.includes('%'))) {
    name = undefined;
  }
  return { watch, fieldSelectorName: name };
}

/**
 * fields.ParseSelector(sel).RequiresExactMatch(field). Returns null when the selector does not
 * parse, undefined when it parses but does not pin the field. Terms are sorted (bytewise, like
 * Go's sort.Strings) before the first matching "=" / "==" term wins, as in Go's andTerm.
 */
export function requiredExactMatch(selector: string, field: string): string | undefined | null {
  const terms = splitTerms(selector).sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
  let found: string | undefined;
  for (const term of terms) {
    if (term === '') continue;
    const split = splitTerm(term);
    if (!split) return null;
    const value = unescapeValue(split.rhs);
    if (value === null) return null;
    if (found === undefined && split.op !== '!=' && split.lhs === field) found = value;
  }
  return found;
}

/** Comma-separated terms; a backslash-escaped comma stays inside its term (backslash kept). */
function splitTerms(sel: string): string[] {
  if (sel === '') return [];
  const terms: string[] = [];
  let start = 0;
  let inSlash = false;
  for (let i = 0; i < sel.length; i++) {
    const c = sel[i];
    if (inSlash) inSlash = false;
    else if (c === '\\') inSlash = true;
    else if (c === ',') {
      terms.push(sel.slice(start, i));
      start = i + 1;
    }
  }
  terms.push(sel.slice(start));
  return terms;
}

/** The first occurrence of "!=", "==" or "=" (checked in that order at each position) splits. */
function splitTerm(term: string): { lhs: string; op: string; rhs: string } | undefined {
  for (let i = 0; i < term.length; i++) {
    for (const op of ['!=', '==', '=']) {
      if (term.startsWith(op, i)) return { lhs: term.slice(0, i), op, rhs: term.slice(i + op.length) };
    }
  }
  return undefined;
}

/** fields.UnescapeValue: only \\ \, \= are escapes; a bare ',' or '=' is an error. */
function unescapeValue(s: string): string | null {
  let out = '';
  let inSlash = false;
  for (const c of s) {
    if (inSlash) {
      if (c !== '\\' && c !== ',' && c !== '=') return null;
      out += c;
      inSlash = false;
    } else if (c === '\\') inSlash = true;
    else if (c === ',' || c === '=') return null;
    else out += c;
  }
  return inSlash ? null : out;
}
