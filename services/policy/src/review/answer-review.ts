import {
  ANY_NAMESPACE,
  KubeVerbs,
  SELF_REVIEW_GROUP,
  SelfReviewKinds,
  type AccessReviewStatus,
  type AgentScope,
  type Decision,
  type Identity,
  type KubeVerb,
  type NonResourceRule,
  type RequestInfo,
  type ResourceRule,
  type RulesReviewStatus,
  type SelfReviewAnswer,
  type SelfReviewSpec,
} from '@chaperone/contracts';
import { subjectMatches, type CompiledRule } from '../rules/match-rule';

/** The built-in rule that lets every agent ask what it may do (Kubernetes' system:basic-user does the same). */
export const SELF_REVIEW_RULE = 'self-review';

/** What answering needs: the same decision a real request would get, the rules, and the registry. */
export interface ReviewSources {
  /** The decision a request with these attributes would get (registry first, then the rules). */
  evaluate(identity: Identity, request: RequestInfo): Decision;
  readonly rules: readonly CompiledRule[];
  /** The agent's registered scope; undefined when it has none (no registry, or not registered). */
  scopeOf(identity: Identity): AgentScope | undefined;
  /** Why the registry refuses the agent whatever it asks (unregistered, registry not loaded); else undefined. */
  registryRefusal(identity: Identity): Decision | undefined;
}

/** Answers a self review as the API server would, from Chaperone's policy and the agent's scope. */
export function answerReview(spec: SelfReviewSpec, identity: Identity, sources: ReviewSources): SelfReviewAnswer {
  switch (spec.kind) {
    case 'access':
      return { kind: 'access', status: answerAccess(spec, identity, sources) };
    case 'rules':
      return { kind: 'rules', status: answerRules(spec.namespace, identity, sources) };
    default: {
      const unhandled: never = spec;
      throw new Error(`unhandled review ${JSON.stringify(unhandled)}`);
    }
  }
}

/**
 * One question ("may I delete pods in default?"), answered with the decision the real request
 * would get. An `approve` decision answers yes: the request runs once a human approves it (the
 * reason says so); `deny` answers no, with `denied` set only when a rule explicitly denies.
 */
function answerAccess(spec: Extract<SelfReviewSpec, { kind: 'access' }>, identity: Identity, sources: ReviewSources): AccessReviewStatus {
  const request = requestOf(spec);
  if (typeof request === 'string') return { allowed: false, evaluationError: request };
  if (isSelfReview(request)) return { allowed: true, reason: `${SELF_REVIEW_RULE}: every agent may ask what it may do` };
  const decision = sources.evaluate(identity, request);
  switch (decision.effect) {
    case 'allow':
      return { allowed: true, reason: decision.reason };
    case 'mask':
      return { allowed: true, reason: `${decision.reason} (responses are masked)` };
    case 'approve':
      return { allowed: true, reason: `allowed once a human approves it: ${decision.reason}` };
    case 'deny':
      return { allowed: false, denied: decision.rule !== 'default-deny', reason: decision.reason };
    default: {
      const unhandled: never = decision.effect;
      throw new Error(`unhandled effect ${String(unhandled)}`);
    }
  }
}

/** The review's attributes as the request they ask about, or why they cannot be. */
function requestOf(spec: Extract<SelfReviewSpec, { kind: 'access' }>): RequestInfo | string {
  const r = spec.resourceAttributes;
  if (r) {
    const verb = r.verb ?? '';
    if (!(KubeVerbs as readonly string[]).includes(verb)) {
      return `chaperone decides the request verbs ${KubeVerbs.join(', ')}; "${verb.slice(0, 40)}" is not one of them`;
    }
    if (!r.resource) return 'resourceAttributes.resource is required';
    const group = r.group ?? '';
    const namespace = r.namespace ?? '';
    const path = `/${group ? `apis/${group}` : 'api'}/${r.version || 'v1'}${namespace ? `/namespaces/${namespace}` : ''}/${r.resource}${r.name ? `/${r.name}` : ''}${r.subresource ? `/${r.subresource}` : ''}`;
    return {
      isResourceRequest: true,
      path,
      verb: verb as KubeVerb,
      apiPrefix: group ? 'apis' : 'api',
      apiGroup: group,
      apiVersion: r.version ?? '',
      namespace,
      resource: r.resource,
      subresource: r.subresource ?? '',
      name: r.name ?? '',
      parts: [],
    };
  }
  const n = spec.nonResourceAttributes;
  if (n?.path) return { isResourceRequest: false, path: n.path, verb: (n.verb ?? 'get').toLowerCase() };
  return 'the review names neither resourceAttributes nor nonResourceAttributes';
}

function isSelfReview(request: RequestInfo): boolean {
  return (
    request.isResourceRequest &&
    request.verb === 'create' &&
    request.apiGroup === SELF_REVIEW_GROUP &&
    (request.resource === SelfReviewKinds.access.resource || request.resource === SelfReviewKinds.rules.resource)
  );
}

/**
 * Everything the agent may do in one namespace (or in any: ANY_NAMESPACE), as RBAC-style rules:
 * every allow, mask and approve rule naming the agent that applies there, narrowed to its registered scope. Deny rules cannot be
 * written as RBAC rules (RBAC only adds), so when one names the agent the list is marked
 * incomplete and says which: a single `kubectl auth can-i VERB RESOURCE` is then the exact answer.
 */
function answerRules(namespace: string, identity: Identity, sources: ReviewSources): RulesReviewStatus {
  const refusal = sources.registryRefusal(identity);
  if (refusal) return { resourceRules: [], nonResourceRules: [], incomplete: false, evaluationError: refusal.reason };
  const scope = sources.scopeOf(identity);
  const resourceRules: ResourceRule[] = [{ verbs: ['create'], apiGroups: [SELF_REVIEW_GROUP], resources: [SelfReviewKinds.access.resource, SelfReviewKinds.rules.resource] }];
  const nonResourceRules: NonResourceRule[] = [];
  const denies: string[] = [];
  for (const rule of sources.rules) {
    if (!subjectMatches(rule.subjects, identity)) continue;
    if (rule.effect === 'deny') {
      denies.push(rule.name);
      continue;
    }
    if (rule.kind === 'nonResource') {
      // A registered scope does not limit non-resource requests (discovery).
      nonResourceRules.push({ verbs: [...rule.verbs], nonResourceURLs: [...rule.nonResourceURLs] });
      continue;
    }
    if (namespace !== ANY_NAMESPACE && rule.namespaces !== undefined && !rule.namespaces.has(namespace)) continue;
    const narrowed = scope ? narrowToScope(rule, namespace, scope) : { verbs: [...rule.verbs], apiGroups: [...rule.apiGroups], resources: [...rule.resources] };
    if (!narrowed) continue;
    resourceRules.push({ ...narrowed, ...(rule.resourceNames.length > 0 ? { resourceNames: [...rule.resourceNames] } : {}) });
  }
  if (denies.length === 0) return { resourceRules, nonResourceRules, incomplete: false };
  return {
    resourceRules,
    nonResourceRules,
    incomplete: true,
    evaluationError: `deny rules (${denies.join(', ')}) take away from these rules; kubectl auth can-i VERB RESOURCE gives the exact answer`,
  };
}

/** Whether the scope lets the agent use the rule in the namespace (in ANY_NAMESPACE: in one of the rule's). */
function inScope(rule: Extract<CompiledRule, { kind: 'resource' }>, namespace: string, scope: AgentScope): boolean {
  if (scope.namespaces.includes('*')) return true;
  if (namespace !== ANY_NAMESPACE) return namespace !== '' && scope.namespaces.includes(namespace);
  return rule.namespaces === undefined || scope.namespaces.some((n) => rule.namespaces?.has(n));
}

/** The part of a rule inside the agent's scope in this namespace; undefined when nothing is left. */
function narrowToScope(rule: Extract<CompiledRule, { kind: 'resource' }>, namespace: string, scope: AgentScope): Omit<ResourceRule, 'resourceNames'> | undefined {
  if (!inScope(rule, namespace, scope)) return undefined;
  const verbs = intersect(rule.verbs, scope.verbs, (covering, v) => covering.includes(v));
  const apiGroups = scope.apiGroups === undefined ? [...rule.apiGroups] : intersect(rule.apiGroups, scope.apiGroups, (covering, g) => covering.includes(g));
  const resources = intersect(rule.resources, scope.resources, resourceCovered);
  if (verbs.length === 0 || apiGroups.length === 0 || resources.length === 0) return undefined;
  return { verbs, apiGroups, resources };
}

/** The entries of both lists that both allow, "*" standing for everything. */
function intersect(ruleList: readonly string[], scopeList: readonly string[], covered: (covering: readonly string[], entry: string) => boolean): string[] {
  if (scopeList.includes('*')) return [...ruleList];
  if (ruleList.includes('*')) return [...scopeList];
  return ruleList.filter((entry) => covered(scopeList, entry));
}

/** Scope resources follow RBAC too: `pods/*` covers every subresource of pods. */
function resourceCovered(covering: readonly string[], entry: string): boolean {
  if (covering.includes(entry)) return true;
  const slash = entry.indexOf('/');
  return slash > 0 && covering.includes(`${entry.slice(0, slash)}/*`);
}
