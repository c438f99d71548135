import type { RequestInfo } from '@chaperone/contracts';

/**
 * One copy of each value that many requests' views repeat. Every stored event is parsed into
 * strings and objects of its own, so each request's view used to hold private copies of its
 * agent's name, its rule and reason, the policy version, its request attributes and their path
 * parts: more than a third of what the read model grew by per request. Views keep the shared
 * copy instead; equal values, so nothing that reads them can tell.
 *
 * The tables only grow, up to a bound: a value first seen after that is kept as it came (a view
 * then holds its own copy, as before). Long values are never shared: they are rarely repeated
 * and would make the bound a large amount of memory.
 */
const MAX_SHARED_STRINGS = 100_000;
const MAX_SHARED_OBJECTS = 50_000;
const MAX_SHARED_LENGTH = 512;

/** Never cleared: the views that hold a shared value keep it in use for as long as the model lives. */
const strings = new Map<string, string>();
const objects = new Map<string, object>();

/** The shared copy of `s`. */
export function shared(s: string): string {
  if (s.length > MAX_SHARED_LENGTH) return s;
  const known = strings.get(s);
  if (known !== undefined) return known;
  if (strings.size < MAX_SHARED_STRINGS) strings.set(s, s);
  return s;
}

/**
 * The shared copy of a plain JSON value whose `key` says everything it holds: built once by
 * `build` (from shared strings, frozen: every view that holds it holds the same object).
 */
function sharedObject<T extends object>(key: string, build: () => T): T {
  const known = objects.get(key) as T | undefined;
  if (known !== undefined) return known;
  const made = deepFreeze(build());
  if (key.length <= MAX_SHARED_LENGTH * 4 && objects.size < MAX_SHARED_OBJECTS) objects.set(key, made);
  return made;
}

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object') {
    for (const v of Object.values(value)) deepFreeze(v);
    Object.freeze(value);
  }
  return value;
}

/** The request's attributes: the same path and verb give the same attributes, shared. */
export function sharedInfo(info: RequestInfo): RequestInfo {
  return sharedObject(`info\u0000${JSON.stringify(info)}`, () =>
    info.isResourceRequest
      ? {
          isResourceRequest: true,
          path: shared(info.path),
          verb: info.verb,
          apiPrefix: info.apiPrefix,
          apiGroup: shared(info.apiGroup),
          apiVersion: shared(info.apiVersion),
          namespace: shared(info.namespace),
          resource: shared(info.resource),
          subresource: shared(info.subresource),
          name: shared(info.name),
          parts: info.parts.map(shared),
        }
      : { isResourceRequest: false, path: shared(info.path), verb: shared(info.verb) },
  );
}

/** A decision as a view keeps it: many requests are decided alike, so it is shared as a whole. */
export function sharedDecision<D extends { effect: string; rule: string; policyVersion: string; reason: string; matchedRules: readonly string[] }>(d: D): D {
  return sharedObject(`decision\u0000${JSON.stringify([d.effect, d.rule, d.policyVersion, d.reason, d.matchedRules])}`, () => ({
    ...d,
    rule: shared(d.rule),
    policyVersion: shared(d.policyVersion),
    reason: shared(d.reason),
    matchedRules: sharedList(d.matchedRules),
  }));
}

/** A list of names (matched rules): shared as a whole. */
export function sharedList(list: readonly string[]): string[] {
  return sharedObject(`list\u0000${JSON.stringify(list)}`, () => list.map(shared));
}

/** An empty list that a view replaces (never changes) when it gains an entry. */
export const NONE: never[] = Object.freeze([]) as unknown as never[];
