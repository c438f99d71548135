import type { Effect, Identity, RequestInfo, ResourceRequestInfo, RecordLevel, RecordingSpec, MaskProfileName } from '@chaperone/contracts';
import type { CompiledApproval } from './approval-options';

/**
 * Per-rule matchers. The resource and URL matchers mirror Kubernetes RBAC
 * (k8s.io/kubernetes/pkg/apis/rbac/v1/evaluation_helpers.go) exactly, so a rule means here what
 * it would mean in a ClusterRole; subjects and namespaces are Chaperone's additions.
 */

const WILDCARD = '*';

export interface CompiledSubjects {
  users: ReadonlySet<string>;
  agents: ReadonlySet<string>;
  groups: ReadonlySet<string>;
}

interface CompiledRuleBase {
  /** Position in the file; ties between equally restrictive rules go to the lowest. */
  index: number;
  name: string;
  effect: Effect;
  /** Index of `effect` in `Effects`: higher is more restrictive. */
  rank: number;
  reason: string | undefined;
  record: RecordLevel;
  /** Only when the rule has a `recording:` block (defaults fill the rest). */
  recording: RecordingSpec | undefined;
  unmasked: boolean;
  /** Only when the rule names one; rules without it leave the profile to others (or the default). */
  maskProfile: MaskProfileName | undefined;
  /** Approve rules only: their approval terms with defaults applied. */
  approval: CompiledApproval | undefined;
  subjects: CompiledSubjects;
  verbs: readonly string[];
}

export interface CompiledResourceRule extends CompiledRuleBase {
  kind: 'resource';
  apiGroups: readonly string[];
  resources: readonly string[];
  /** Empty = any name (RBAC). */
  resourceNames: readonly string[];
  /** Undefined = any namespace, including cluster-scoped requests. */
  namespaces: ReadonlySet<string> | undefined;
}

export interface CompiledNonResourceRule extends CompiledRuleBase {
  kind: 'nonResource';
  nonResourceURLs: readonly string[];
}

export type CompiledRule = CompiledResourceRule | CompiledNonResourceRule;

export function verbMatches(ruleVerbs: readonly string[], verb: string): boolean {
  return ruleVerbs.some((v) => v === WILDCARD || v === verb);
}

export function apiGroupMatches(ruleGroups: readonly string[], group: string): boolean {
  return ruleGroups.some((g) => g === WILDCARD || g === group);
}

/**
 * RBAC: "*" matches every resource and subresource; otherwise the rule entry must equal
 * "resource" or "resource/subresource" exactly — so "pods" does NOT cover "pods/exec" — except
 * "*\/sub", which matches that subresource of any resource.
 */
export function resourceMatches(
  ruleResources: readonly string[],
  resource: string,
  subresource: string,
): boolean {
  const combined = subresource ? `${resource}/${subresource}` : resource;
  return ruleResources.some(
    (r) =>
      r === WILDCARD ||
      r === combined ||
      (subresource !== '' && r === `*/${subresource}`),
  );
}

/**
 * RBAC: an empty list allows any name. Otherwise the request's name must be listed, which means
 * a rule with resourceNames never matches list/watch/create of a collection (name is "").
 */
export function resourceNameMatches(ruleNames: readonly string[], name: string): boolean {
  return ruleNames.length === 0 || (name !== '' && ruleNames.includes(name));
}

/** RBAC: "*" matches everything, a trailing "*" is a prefix match, anything else is exact. */
export function nonResourceURLMatches(ruleURLs: readonly string[], path: string): boolean {
  return ruleURLs.some(
    (u) =>
      u === WILDCARD ||
      u === path ||
      (u.endsWith(WILDCARD) && path.startsWith(u.replace(/\*+$/, ''))),
  );
}

/** Any listed user, agent or group matches; "*" in a list matches every identity. */
export function subjectMatches(s: CompiledSubjects, identity: Identity): boolean {
  return (
    s.users.has(WILDCARD) ||
    s.users.has(identity.username) ||
    s.agents.has(WILDCARD) ||
    s.agents.has(identity.agent) ||
    s.groups.has(WILDCARD) ||
    identity.groups.some((g) => s.groups.has(g))
  );
}

/**
 * Omitted namespaces (or "*") match every request, cluster-scoped ones included. A listed
 * namespace matches only requests in it; "" matches cluster-scoped and all-namespace requests.
 */
export function namespaceMatches(ns: ReadonlySet<string> | undefined, namespace: string): boolean {
  return ns === undefined || ns.has(namespace);
}

function resourceRuleMatches(rule: CompiledResourceRule, req: ResourceRequestInfo): boolean {
  return (
    verbMatches(rule.verbs, req.verb) &&
    apiGroupMatches(rule.apiGroups, req.apiGroup) &&
    resourceMatches(rule.resources, req.resource, req.subresource) &&
    resourceNameMatches(rule.resourceNames, req.name) &&
    namespaceMatches(rule.namespaces, req.namespace)
  );
}

/** The full, index-free test of one rule against one request: the reference semantics. */
export function ruleMatches(rule: CompiledRule, identity: Identity, request: RequestInfo): boolean {
  if (!subjectMatches(rule.subjects, identity)) return false;
  if (request.isResourceRequest) {
    return rule.kind === 'resource' && resourceRuleMatches(rule, request);
  }
  return (
    rule.kind === 'nonResource' &&
    verbMatches(rule.verbs, request.verb) &&
    nonResourceURLMatches(rule.nonResourceURLs, request.path)
  );
}
