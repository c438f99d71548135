/**
 * Request-target hygiene. Everything here REFUSES rather than repairs: an authorizer that
 * guesses what an odd path "meant" can be made to authorize one object while the API server
 * serves another. Reasons are fixed strings and never echo input (the query may hold secrets,
 * and echoed input invites log injection).
 */

export type Refusal = { ok: false; reason: string };
export const refuse = (reason: string): Refusal => ({ ok: false, reason });

/** Longest accepted path, in bytes (the path is ASCII by the time it is measured). */
export const MAX_PATH_LENGTH = 8 * 1024;

const utf8 = new TextDecoder('utf-8', { fatal: true });

export interface SplitTarget {
  ok: true;
  rawPath: string;
  /** undefined when there is no '?' at all. */
  rawQuery: string | undefined;
}

/**
 * Splits an origin-form request-target ("/path?query") as Go's url.ParseRequestURI does (first
 * '?' starts the query). Only printable ASCII is accepted: a raw control character is an error in
 * Go too, and raw spaces, non-ASCII bytes or a '#' never appear in a well-formed request-target,
 * so their meaning would depend on which HTTP parser saw them first.
 */
export function splitRequestTarget(rawUrl: string): SplitTarget | Refusal {
  if (typeof rawUrl !== 'string' || !rawUrl.startsWith('/')) return refuse('request path must start with "/"');
  for (let i = 0; i < rawUrl.length; i++) {
    const c = rawUrl.charCodeAt(i);
    if (c <= 0x20 || c >= 0x7f) return refuse('request target contains a control, space or non-ASCII character');
  }
  if (rawUrl.includes('#')) return refuse('request target contains a fragment');
  if (rawUrl.includes('\\')) return refuse('request target contains a backslash');
  // %00 is refused anywhere: a NUL is never meaningful in a Kubernetes path or query.
  if (/%00/.test(rawUrl)) return refuse('request target contains an encoded NUL');
  const q = rawUrl.indexOf('?');
  const rawPath = q === -1 ? rawUrl : rawUrl.slice(0, q);
  if (rawPath.length > MAX_PATH_LENGTH) return refuse(`request path is longer than ${MAX_PATH_LENGTH} bytes`);
  return { ok: true, rawPath, rawQuery: q === -1 ? undefined : rawUrl.slice(q + 1) };
}

/**
 * Percent-decodes like Go's url.PathUnescape/QueryUnescape ('+' means space only in queries).
 * Returns undefined for a malformed escape or for bytes that are not valid UTF-8: Go would keep
 * such bytes verbatim, which a JS string cannot represent faithfully.
 */
export function percentDecode(s: string, plusIsSpace: boolean): string | undefined {
  if (!s.includes('%') && !(plusIsSpace && s.includes('+'))) return s;
  const bytes: number[] = [];
  for (let i = 0; i < s.length; i++) {
    const ch = s.charCodeAt(i);
    if (ch === 0x25 /* % */) {
      const hex = s.slice(i + 1, i + 3);
      if (!/^[0-9A-Fa-f]{2}$/.test(hex)) return undefined;
      bytes.push(parseInt(hex, 16));
      i += 2;
    } else if (plusIsSpace && ch === 0x2b /* + */) {
      bytes.push(0x20);
    } else if (ch < 0x80) {
      bytes.push(ch);
    } else {
      // Request-targets are ASCII (splitRequestTarget refuses anything else).
      return undefined;
    }
  }
  try {
    return utf8.decode(Uint8Array.from(bytes));
  } catch {
    return undefined;
  }
}

/** C0 controls, DEL and C1 controls. */
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;

export interface SafePath {
  ok: true;
  /** The decoded path, as Go's req.URL.Path. */
  path: string;
  /** Decoded segments, as the API server's splitPath (trim '/' then split) yields them. */
  segments: string[];
}

/**
 * Validates and decodes the path. The API server splits the *decoded* path on '/', so an
 * encoded '/' (or '\', which some proxies and filesystems treat as '/') would shift every part
 * after it; those are refused. Empty, '.' and '..' segments are refused because anything
 * between us and the API server may normalise them away. A single trailing slash is accepted:
 * Go trims it before splitting, so "/api/v1/pods/" really is "list pods".
 */
export function decodePath(rawPath: string): SafePath | Refusal {
  if (/%(2f|5c)/i.test(rawPath)) return refuse('request path contains an encoded "/" or "\\"');
  if (rawPath === '/') return { ok: true, path: '/', segments: [] };
  const trailingSlash = rawPath.endsWith('/');
  const inner = rawPath.slice(1, trailingSlash ? -1 : undefined);
  const segments: string[] = [];
  for (const raw of inner.split('/')) {
    if (raw === '') return refuse('request path contains an empty segment');
    const seg = percentDecode(raw, false);
    if (seg === undefined) return refuse('request path contains an invalid percent-encoding');
    if (seg === '.' || seg === '..') return refuse('request path contains a "." or ".." segment');
    if (CONTROL.test(seg)) return refuse('request path contains a control character');
    segments.push(seg);
  }
  return { ok: true, path: '/' + segments.join('/') + (trailingSlash ? '/' : ''), segments };
}

export type Query = ReadonlyMap<string, readonly string[]>;

/**
 * Go's url.ParseQuery, except that anything it would report as an error is refused instead of
 * silently dropped (a dropped "watch" or "fieldSelector" changes the derived verb or name).
 */
export function parseQuery(rawQuery: string | undefined): { ok: true; query: Query } | Refusal {
  const query = new Map<string, string[]>();
  if (rawQuery === undefined) return { ok: true, query };
  for (const pair of rawQuery.split('&')) {
    if (pair.includes(';')) return refuse('query contains a ";" separator');
    if (pair === '') continue;
    const eq = pair.indexOf('=');
    const key = percentDecode(eq === -1 ? pair : pair.slice(0, eq), true);
    const value = percentDecode(eq === -1 ? '' : pair.slice(eq + 1), true);
    if (key === undefined || value === undefined) return refuse('query contains an invalid percent-encoding');
    const values = query.get(key);
    if (values) values.push(value);
    else query.set(key, [value]);
  }
  return { ok: true, query };
}
