import type { Identity, NonResourceRequestInfo, ResourceRequestInfo } from '@chaperone/contracts';
import { compilePolicy, type CompiledPolicy } from './compile-policy';
import { policyVersion } from './load-policy';
import { POLICY_API_VERSION, PolicyDocumentSchema, type PolicyRuleSpec } from './policy-schema';

/** Builders shared by the specs in this folder (not exported from index.ts). */

export function identity(overrides: Partial<Identity> = {}): Identity {
  return {
    subject: 'sub-1',
    username: 'alice',
    agent: 'deploy-bot',
    groups: ['agents'],
    issuer: 'https://issuer.example',
    ...overrides,
  };
}

export function resourceRequest(
  verb: ResourceRequestInfo['verb'],
  resource: string,
  opts: Partial<Pick<ResourceRequestInfo, 'apiGroup' | 'namespace' | 'subresource' | 'name'>> = {},
): ResourceRequestInfo {
  const apiGroup = opts.apiGroup ?? '';
  const namespace = opts.namespace ?? 'default';
  const subresource = opts.subresource ?? '';
  const name = opts.name ?? '';
  const parts = [resource, name, subresource].filter((p) => p !== '');
  const prefix = apiGroup ? `/apis/${apiGroup}/v1` : '/api/v1';
  return {
    isResourceRequest: true,
    path: `${prefix}${namespace ? `/namespaces/${namespace}` : ''}/${parts.join('/')}`,
    verb,
    apiPrefix: apiGroup ? 'apis' : 'api',
    apiGroup,
    apiVersion: 'v1',
    namespace,
    resource,
    subresource,
    name,
    parts,
  };
}

export function nonResourceRequest(verb: string, path: string): NonResourceRequestInfo {
  return { isResourceRequest: false, verb, path };
}

/** A rule with sensible defaults: everyone, get, core pods. */
export function rule(name: string, fields: Partial<PolicyRuleSpec> = {}): PolicyRuleSpec {
  const base: PolicyRuleSpec = { name, effect: 'allow', subjects: { groups: ['*'] }, verbs: ['get'] };
  if (fields.nonResourceURLs === undefined) {
    base.apiGroups = [''];
    base.resources = ['pods'];
  }
  // An approve rule must name its approvers; tests that do not care get one group.
  if (fields.effect === 'approve' && fields.approval === undefined) base.approval = { approverGroups: ['approvers'] };
  return { ...base, ...fields };
}

/** Compiles rules after validating them with the real schema, so tests cannot build nonsense. */
export function policyOf(rules: PolicyRuleSpec[]): CompiledPolicy {
  const doc = PolicyDocumentSchema.parse({ apiVersion: POLICY_API_VERSION, kind: 'Policy', rules });
  return compilePolicy(doc, policyVersion(JSON.stringify(doc)), 'test');
}
