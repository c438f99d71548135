import { createHash } from 'node:crypto';
import { isMap, isNode, isScalar, LineCounter, parseDocument, type Document } from 'yaml';
import type { z } from 'zod';
import { compilePolicy, type CompiledPolicy } from './compile-policy';
import { KNOWN_KEYS, PolicyDocumentSchema, policyRuleIssues, type PolicyIssue } from './policy-schema';

/**
 * Parses, validates and compiles a policy file. Every problem is reported with the 1-based line
 * and column of the YAML node it concerns, so an operator can jump straight to it; all problems
 * are reported at once rather than one per attempt.
 */

export interface PolicyError {
  /** 1-based; 0 when the problem has no position (e.g. the file could not be read). */
  line: number;
  column: number;
  /** Where in the document, e.g. "rules[2].effect"; "" for the whole document. */
  path: string;
  message: string;
}

export type LoadResult = { ok: true; policy: CompiledPolicy } | { ok: false; errors: PolicyError[] };

/** "sha256:<hex>" of the exact bytes, so the version in a decision identifies the file verbatim. */
export function policyVersion(content: string | Uint8Array): string {
  return `sha256:${createHash('sha256').update(content).digest('hex')}`;
}

/** One "file:line:col: path: message" line per error, as compilers print them. */
export function formatPolicyErrors(source: string, errors: readonly PolicyError[]): string {
  return errors
    .map((e) => {
      const where = e.line > 0 ? `${source}:${e.line}:${e.column}` : source;
      return `${where}: ${e.path ? `${e.path}: ` : ''}${e.message}`;
    })
    .join('\n');
}

/**
 * `text` may be the raw file bytes (preferred: the version then hashes exactly what is on disk)
 * or an already decoded string (hashed as UTF-8).
 */
export function loadPolicy(text: string | Uint8Array, source: string): LoadResult {
  let content: string;
  try {
    content = typeof text === 'string' ? text : new TextDecoder('utf-8', { fatal: true }).decode(text);
  } catch {
    return { ok: false, errors: [{ line: 1, column: 1, path: '', message: 'file is not valid UTF-8' }] };
  }

  const lineCounter = new LineCounter();
  // prettyErrors off: we position errors ourselves and want messages without code excerpts.
  const doc = parseDocument(content, { lineCounter, prettyErrors: false, uniqueKeys: true });
  const position = (offset: number) => {
    const { line, col } = lineCounter.linePos(offset);
    return { line, column: col };
  };

  if (doc.errors.length > 0) {
    return {
      ok: false,
      errors: doc.errors.map((e) => ({ ...position(e.pos[0]), path: '', message: e.message })),
    };
  }

  let raw: unknown;
  try {
    raw = doc.toJS();
  } catch (e) {
    // toJS refuses e.g. alias bombs ("excessive alias count").
    return { ok: false, errors: [{ line: 1, column: 1, path: '', message: (e as Error).message }] };
  }
  if (raw === null || raw === undefined) {
    return { ok: false, errors: [{ line: 1, column: 1, path: '', message: 'the policy document is empty' }] };
  }

  const parsed = PolicyDocumentSchema.safeParse(raw);
  const issues: PolicyIssue[] = parsed.success ? [] : parsed.error.issues.flatMap((i) => fromZodIssue(i, raw));
  const schemaPaths = new Set(issues.map((i) => pathToString(i.path)));
  // The same field can fail both checks (e.g. verb "GET"); the schema's message is enough.
  for (const issue of policyRuleIssues(raw)) {
    if (!schemaPaths.has(pathToString(issue.path))) issues.push(issue);
  }

  if (!parsed.success || issues.length > 0) {
    const errors = issues.map((i) => locate(doc, i, position));
    errors.sort((a, b) => a.line - b.line || a.column - b.column);
    return { ok: false, errors };
  }
  return { ok: true, policy: compilePolicy(parsed.data, policyVersion(text), source) };
}

type Path = (string | number)[];

function pathToString(path: Path): string {
  return path.reduce<string>(
    (acc, key) => (typeof key === 'number' ? `${acc}[${key}]` : acc ? `${acc}.${key}` : key),
    '',
  );
}

function valueAt(raw: unknown, path: Path): unknown {
  let v = raw;
  for (const key of path) {
    if (typeof v !== 'object' || v === null) return undefined;
    v = (v as Record<string | number, unknown>)[key];
  }
  return v;
}

function fromZodIssue(issue: z.core.$ZodIssue, raw: unknown): PolicyIssue[] {
  const path = issue.path.filter((k): k is string | number => typeof k !== 'symbol');
  const value = valueAt(raw, path);
  // Whatever the check (type, enum, literal), an absent field is best reported as missing.
  if (value === undefined && issue.code !== 'unrecognized_keys' && path.length > 0) {
    return [{ path, message: `missing required field "${String(path[path.length - 1])}"` }];
  }
  switch (issue.code) {
    case 'unrecognized_keys':
      // One error per key, positioned on the key itself.
      return issue.keys.map((key) => ({ path: [...path, key], message: unknownKeyMessage(key), onKey: true }));
    case 'invalid_type':
      return [{ path, message: `expected ${typeName(issue.expected)}, got ${describeValue(value)}` }];
    default:
      return [{ path, message: issue.message }];
  }
}

/** YAML vocabulary rather than JavaScript's. */
function typeName(zodType: string): string {
  return zodType === 'object' ? 'a mapping' : zodType === 'array' ? 'a list' : `a ${zodType}`;
}

function describeValue(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'object') return 'a mapping';
  return `${typeof v} ${JSON.stringify(v)}`;
}

function unknownKeyMessage(key: string): string {
  let suggestion: string | undefined;
  let best = 3; // suggest only close typos: at most two edits away
  for (const known of KNOWN_KEYS) {
    const d = editDistance(known.toLowerCase(), key.toLowerCase());
    if (d < best) [best, suggestion] = [d, known];
  }
  return `unknown field "${key}"${suggestion ? ` (did you mean "${suggestion}"?)` : ''}`;
}

function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      cur.push(Math.min((prev[j] ?? 0) + 1, (cur[j - 1] ?? 0) + 1, (prev[j - 1] ?? 0) + cost));
    }
    prev = cur;
  }
  return prev[b.length] ?? 0;
}

/**
 * Finds the YAML node an issue is about. A missing key has no node, so we fall back to the
 * nearest existing ancestor (the mapping that should have contained it). An unknown key is
 * located on the key itself, since its value may be far away or absent.
 */
function locate(
  doc: Document,
  issue: PolicyIssue,
  position: (offset: number) => { line: number; column: number },
): PolicyError {
  const path = pathToString(issue.path);
  const at = (offset: number): PolicyError => ({ ...position(offset), path, message: issue.message });
  const nodeAt = (p: Path): unknown => (p.length === 0 ? doc.contents : doc.getIn(p, true));

  if (issue.onKey && issue.path.length > 0) {
    const parent = nodeAt(issue.path.slice(0, -1));
    const key = issue.path[issue.path.length - 1];
    const pair = isMap(parent) ? parent.items.find((p) => isScalar(p.key) && p.key.value === key) : undefined;
    if (pair && isNode(pair.key) && pair.key.range) return at(pair.key.range[0]);
  }
  for (let depth = issue.path.length; depth >= 0; depth--) {
    const node = nodeAt(issue.path.slice(0, depth));
    if (isNode(node) && node.range) return at(node.range[0]);
  }
  return { line: 1, column: 1, path, message: issue.message };
}
