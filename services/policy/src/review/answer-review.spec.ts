import type { AgentScope, Decision } from '@chaperone/contracts';
import { evaluate } from '../rules/evaluate';
import { identity, policyOf, rule } from '../rules/test-support';
import { answerReview, type ReviewSources } from './answer-review';

const policy = policyOf([
  rule('read', { verbs: ['get', 'list', 'watch'], apiGroups: ['', 'apps'], resources: ['pods', 'deployments'], namespaces: ['default'] }),
  rule('delete-needs-a-human', { effect: 'approve', verbs: ['delete'], resources: ['pods'] }),
  rule('no-kube-system', { effect: 'deny', verbs: ['*'], apiGroups: ['*'], resources: ['*'], namespaces: ['kube-system'], reason: 'platform team only' }),
  rule('others-only', { subjects: { agents: ['other-bot'] }, verbs: ['create'], resources: ['configmaps'] }),
  rule('health', { verbs: ['get'], nonResourceURLs: ['/healthz'] }),
]);

function sources(scope?: AgentScope, refusal?: Decision): ReviewSources {
  return { evaluate: (who, req) => evaluate(policy, who, req), rules: policy.rules, scopeOf: () => scope, registryRefusal: () => refusal };
}

const ask = (attrs: Record<string, string>, s = sources()) => answerReview({ kind: 'access', resourceAttributes: attrs }, identity(), s);

describe('a SelfSubjectAccessReview answered from the policy', () => {
  it('given an allow rule, when asked, then yes with the rule', () => {
    expect(ask({ verb: 'list', resource: 'pods', namespace: 'default' })).toEqual({ kind: 'access', status: { allowed: true, reason: 'allowed by rule read' } });
  });

  it('given an approve rule, then yes, saying a human must approve', () => {
    expect(ask({ verb: 'delete', resource: 'pods', namespace: 'default' }).status).toMatchObject({ allowed: true, reason: expect.stringMatching(/^allowed once a human approves it/) });
  });

  it('given an explicit deny, then no and denied; given no rule, then no, not denied', () => {
    expect(ask({ verb: 'get', resource: 'pods', namespace: 'kube-system' }).status).toEqual({ allowed: false, denied: true, reason: 'platform team only' });
    expect(ask({ verb: 'create', resource: 'pods', namespace: 'default' }).status).toMatchObject({ allowed: false, denied: false });
  });

  it('given a verb Chaperone does not decide, then no with an evaluation error', () => {
    expect(ask({ verb: 'impersonate', resource: 'users' }).status).toMatchObject({ allowed: false, evaluationError: expect.stringContaining('impersonate') });
  });

  it('answers non-resource questions', () => {
    expect(answerReview({ kind: 'access', nonResourceAttributes: { path: '/healthz', verb: 'get' } }, identity(), sources()).status).toMatchObject({ allowed: true });
  });
});

describe('a SelfSubjectRulesReview answered from the policy and the scope', () => {
  const rulesIn = (namespace: string, s = sources()) => {
    const answer = answerReview({ kind: 'rules', namespace }, identity(), s);
    if (answer.kind !== 'rules') throw new Error('not a rules answer');
    return answer.status;
  };

  it('lists the allow and approve rules naming the agent in the namespace, never others\' rules, and flags deny rules', () => {
    const status = rulesIn('default');
    expect(status.resourceRules).toEqual([
      { verbs: ['create'], apiGroups: ['authorization.k8s.io'], resources: ['selfsubjectaccessreviews', 'selfsubjectrulesreviews'] },
      { verbs: ['get', 'list', 'watch'], apiGroups: ['', 'apps'], resources: ['pods', 'deployments'] },
      { verbs: ['delete'], apiGroups: [''], resources: ['pods'] },
    ]);
    expect(status.nonResourceRules).toEqual([{ verbs: ['get'], nonResourceURLs: ['/healthz'] }]);
    expect(status).toMatchObject({ incomplete: true, evaluationError: expect.stringContaining('no-kube-system') });
    expect(rulesIn('staging').resourceRules.map((r) => r.verbs)).toEqual([['create'], ['delete']]);
  });

  it('narrows each rule to the registered scope', () => {
    const scope: AgentScope = { namespaces: ['default'], verbs: ['get', 'delete'], apiGroups: [''], resources: ['pods/*', 'pods'] };
    expect(rulesIn('default', sources(scope)).resourceRules.slice(1)).toEqual([
      { verbs: ['get'], apiGroups: [''], resources: ['pods'] },
      { verbs: ['delete'], apiGroups: [''], resources: ['pods'] },
    ]);
    expect(rulesIn('staging', sources(scope)).resourceRules).toHaveLength(1);
  });

  it('in any namespace ("*"): every rule whatever its namespaces, narrowed to the namespaces of the scope', () => {
    expect(rulesIn('*').resourceRules.slice(1)).toEqual([
      { verbs: ['get', 'list', 'watch'], apiGroups: ['', 'apps'], resources: ['pods', 'deployments'] },
      { verbs: ['delete'], apiGroups: [''], resources: ['pods'] },
    ]);
    const elsewhere: AgentScope = { namespaces: ['staging'], verbs: ['*'], resources: ['*'] };
    // The read rule names only default, outside this scope; the delete rule names no namespace.
    expect(rulesIn('*', sources(elsewhere)).resourceRules.slice(1)).toEqual([{ verbs: ['delete'], apiGroups: [''], resources: ['pods'] }]);
  });

  it('lists nothing for an agent the registry refuses, and says why', () => {
    const refusal = evaluate(policy, identity(), { isResourceRequest: false, path: '/nowhere', verb: 'get' });
    expect(rulesIn('default', sources(undefined, { ...refusal, reason: 'not registered' }))).toEqual({ resourceRules: [], nonResourceRules: [], incomplete: false, evaluationError: 'not registered' });
  });
});
