import { DEFAULT_RECORDING, Effects, type RequestInfo } from '@chaperone/contracts';
import { compileApproval } from './approval-options';
import type { CompiledRule } from './match-rule';
import type { PolicyDocument, PolicyRuleSpec } from './policy-schema';

/**
 * Compiles a validated policy document into rules plus an index, so that deciding a request
 * looks at a handful of candidate buckets instead of scanning thousands of rules.
 *
 * The index is only a pre-filter: it may return rules that do not match (e.g. wrong subject or
 * namespace), and evaluation re-checks every candidate with the full matcher. It must never miss
 * a matching rule — the property test compares it with a linear scan.
 *
 *   resource rules:     verb → apiGroup → resource entry → rule indices
 *                       ("*" is an ordinary key at every level, looked up alongside the literal)
 *   non-resource rules: verb → exact URL → rule indices
 *                       verb → URL prefix ("/api/" for "/api/*", "" for "*") → rule indices
 *
 * Rule indices stay in file order so ties can be broken by position.
 */

const WILDCARD = '*';

type Buckets = Map<string, number[]>;

export interface PolicyIndex {
  resource: Map<string, Map<string, Buckets>>;
  nonResource: Map<string, { exact: Buckets; prefix: Buckets }>;
}

export interface CompiledPolicy {
  /** "sha256:<hex>" of the exact file bytes; reported in every decision. */
  version: string;
  /** Where the policy came from (file path), for messages. */
  source: string;
  /** In file order. */
  rules: readonly CompiledRule[];
  index: PolicyIndex;
}

function getOrCreate<K, V>(map: Map<K, V>, key: K, create: () => V): V {
  let value = map.get(key);
  if (value === undefined) {
    value = create();
    map.set(key, value);
  }
  return value;
}

function add(buckets: Buckets, key: string, ruleIndex: number): void {
  const list = getOrCreate(buckets, key, () => []);
  // A rule listing the same key twice (or "get" and "*" reaching the same bucket) is stored once.
  if (list[list.length - 1] !== ruleIndex) list.push(ruleIndex);
}

function compileRule(spec: PolicyRuleSpec, index: number): CompiledRule {
  const base = {
    index,
    name: spec.name,
    effect: spec.effect,
    rank: Effects.indexOf(spec.effect),
    reason: spec.reason,
    record: spec.record ?? 'none',
    recording: spec.recording ? { ...DEFAULT_RECORDING, ...spec.recording } : undefined,
    unmasked: spec.unmasked === true,
    maskProfile: spec.maskProfile,
    approval: spec.approval ? compileApproval(spec.approval) : undefined,
    subjects: {
      users: new Set(spec.subjects.users ?? []),
      agents: new Set(spec.subjects.agents ?? []),
      groups: new Set(spec.subjects.groups ?? []),
    },
    verbs: [...spec.verbs],
  };
  if (spec.nonResourceURLs !== undefined) {
    return { ...base, kind: 'nonResource', nonResourceURLs: [...spec.nonResourceURLs] };
  }
  const ns = spec.namespaces ?? [];
  return {
    ...base,
    kind: 'resource',
    apiGroups: [...(spec.apiGroups ?? [])],
    resources: [...(spec.resources ?? [])],
    resourceNames: [...(spec.resourceNames ?? [])],
    namespaces: ns.length === 0 || ns.includes(WILDCARD) ? undefined : new Set(ns),
  };
}

function buildIndex(rules: readonly CompiledRule[]): PolicyIndex {
  const index: PolicyIndex = { resource: new Map(), nonResource: new Map() };
  for (const rule of rules) {
    for (const verb of rule.verbs) {
      if (rule.kind === 'resource') {
        const byGroup = getOrCreate(index.resource, verb, () => new Map<string, Buckets>());
        for (const group of rule.apiGroups) {
          const byResource = getOrCreate(byGroup, group, () => new Map<string, number[]>());
          for (const resource of rule.resources) add(byResource, resource, rule.index);
        }
      } else {
        const urls = getOrCreate(index.nonResource, verb, () => ({
          exact: new Map<string, number[]>(),
          prefix: new Map<string, number[]>(),
        }));
        for (const url of rule.nonResourceURLs) {
          if (url.endsWith(WILDCARD)) add(urls.prefix, url.replace(/\*+$/, ''), rule.index);
          else add(urls.exact, url, rule.index);
        }
      }
    }
  }
  return index;
}

/** `version` is normally computed by loadPolicy from the file bytes. */
export function compilePolicy(doc: PolicyDocument, version: string, source = '<inline>'): CompiledPolicy {
  const rules = doc.rules.map(compileRule);
  return { version, source, rules, index: buildIndex(rules) };
}

/** Indices (file order, no duplicates) of every rule that could match `request`. */
export function candidateRules(index: PolicyIndex, request: RequestInfo): number[] {
  const hits: number[][] = [];
  const verbs = [request.verb, WILDCARD];

  if (request.isResourceRequest) {
    const groups = [request.apiGroup, WILDCARD];
    const resources = request.subresource
      ? [`${request.resource}/${request.subresource}`, `*/${request.subresource}`, WILDCARD]
      : [request.resource, WILDCARD];
    for (const verb of verbs) {
      const byGroup = index.resource.get(verb);
      if (!byGroup) continue;
      for (const group of groups) {
        const byResource = byGroup.get(group);
        if (!byResource) continue;
        for (const resource of resources) {
          const list = byResource.get(resource);
          if (list) hits.push(list);
        }
      }
    }
  } else {
    const path = request.path;
    for (const verb of verbs) {
      const urls = index.nonResource.get(verb);
      if (!urls) continue;
      const exact = urls.exact.get(path);
      if (exact) hits.push(exact);
      // Every prefix of the path, "" included; the path length bounds this, not the rule count.
      if (urls.prefix.size > 0) {
        for (let i = 0; i <= path.length; i++) {
          const list = urls.prefix.get(path.slice(0, i));
          if (list) hits.push(list);
        }
      }
    }
  }
  return mergeSorted(hits);
}

function mergeSorted(lists: number[][]): number[] {
  if (lists.length === 1) return lists[0] ?? [];
  const all = lists.flat().sort((a, b) => a - b);
  return all.filter((n, i) => i === 0 || all[i - 1] !== n);
}
