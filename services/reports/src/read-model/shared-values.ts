import type { RequestInfo } from '@chaperone/contracts';

/**
 * One copy of each value that many requests' views repeat. Every stored event is parsed into
 * strings and objects of its own, so each request's view used to hold private copies of its
 * agent's name, its rule and reason, the policy version, its request attributes and their path
 * parts: more than a third of what the read model grew by per request. Views keep the shared
 * copy instead; equal values, so nothing that reads them can tell.
 *
 * Each table only grows, up to a bound: a value first seen after that is kept as it came (a view
 * then holds its own copy, as before). Values of few kinds (names, rules, versions) and values of
 * many (session ids, paths, attributes that name one object) have tables of their own, so that a
 * long history of the latter never leaves a new agent's or rule's name unshared. Long values are
 * never shared: they are rarely repeated and would make the bound a large amount of memory.
 */
const MAX_SHARED_LENGTH = 512;
/** How many distinct request attributes are shared at most (exported for a test). */
export const ATTRIBUTES_MAX = 100_000;

/** A bounded table of shared values by key; never cleared: the views that hold them keep them in use. */
class Table<T> {
  private readonly values = new Map<string, T>();

  constructor(
    private readonly max: number,
    private readonly maxKeyLength = MAX_SHARED_LENGTH,
  ) {}

  get(key: string, make: () => T): T {
    const known = this.values.get(key);
    if (known !== undefined) return known;
    const made = make();
    if (key.length <= this.maxKeyLength && this.values.size < this.max) this.values.set(key, made);
    return made;
  }
}

/** Names, rules, reasons, versions, outcomes: a few thousand in a large store. */
const names = new Table<string>(100_000);
/** Session ids, paths, queries, object names and path segments: one each per session or object. */
const keys = new Table<string>(200_000);
/** Request attributes, one per distinct path and verb, keyed by their JSON. */
const attributes = new Table<object>(ATTRIBUTES_MAX, 4 * MAX_SHARED_LENGTH);
/** Decisions and lists of names, keyed by their JSON: a few per rule. */
const objects = new Table<object>(100_000, 4 * MAX_SHARED_LENGTH);

/** The shared copy of a name, rule, reason, version or outcome. */
export function shared(s: string): string {
  return names.get(s, () => s);
}

/** The shared copy of a session id, a path, a query, an object's name or a path segment. */
export function sharedKey(s: string): string {
  return keys.get(s, () => s);
}

/**
 * The shared copy of a plain JSON value whose `key` says everything it holds: built once by
 * `build` (from shared strings, frozen: every view that holds it holds the same object).
 */
function sharedObject<T extends object>(table: Table<object>, key: string, build: () => T): T {
  return table.get(key, () => deepFreeze(build())) as T;
}

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object') {
    for (const v of Object.values(value)) deepFreeze(v);
    Object.freeze(value);
  }
  return value;
}

/**
 * The request's attributes: the same path and verb give the same attributes, shared. Attributes
 * this module made are frozen, and come back as they are.
 */
export function sharedInfo(info: RequestInfo): RequestInfo {
  if (Object.isFrozen(info)) return info;
  return sharedObject(attributes, JSON.stringify(info), () =>
    info.isResourceRequest
      ? {
          isResourceRequest: true,
          path: sharedKey(info.path),
          verb: info.verb,
          apiPrefix: info.apiPrefix,
          apiGroup: shared(info.apiGroup),
          apiVersion: shared(info.apiVersion),
          namespace: shared(info.namespace),
          resource: shared(info.resource),
          subresource: shared(info.subresource),
          name: sharedKey(info.name),
          parts: info.parts.map(sharedKey),
        }
      : { isResourceRequest: false, path: sharedKey(info.path), verb: shared(info.verb) },
  );
}

/** What a view keeps of a policy decision. */
export interface DecisionFacts<E extends string = string> {
  effect: E;
  rule: string;
  policyVersion: string;
  reason: string;
  matchedRules: string[];
}

/**
 * A decision's facts (only these, whatever else `d` carries): many requests are decided alike, so
 * they are shared as a whole. Facts this module made are frozen, and come back as they are.
 */
export function sharedDecision<E extends string>(d: DecisionFacts<E>): DecisionFacts<E> {
  if (Object.isFrozen(d)) return d;
  return sharedObject(objects, `decision\u0000${JSON.stringify([d.effect, d.rule, d.policyVersion, d.reason, d.matchedRules])}`, () => ({
    effect: d.effect,
    rule: shared(d.rule),
    policyVersion: shared(d.policyVersion),
    reason: shared(d.reason),
    matchedRules: sharedList(d.matchedRules),
  }));
}

/** A list of names (matched rules): shared as a whole. */
export function sharedList(list: readonly string[]): string[] {
  return sharedObject(objects, `list\u0000${JSON.stringify(list)}`, () => list.map(shared));
}

/** An empty list that a view replaces (never changes) when it gains an entry. */
export const NONE: never[] = Object.freeze([]) as unknown as never[];
