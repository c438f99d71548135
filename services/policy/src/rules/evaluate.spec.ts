import { DEFAULT_DENY_RULE, type Identity, type RequestInfo } from '@chaperone/contracts';
import { evaluate } from './evaluate';
import type { PolicyRuleSpec } from './policy-schema';
import { identity, nonResourceRequest, policyOf, resourceRequest as res, rule } from './test-support';

interface MatchCase {
  name: string;
  given: Partial<PolicyRuleSpec>;
  when: RequestInfo;
  who?: Identity;
  matches: boolean;
}

describe('evaluate: matchers (RBAC semantics)', () => {
  const cases: MatchCase[] = [
    // verbs
    { name: 'verb listed', given: { verbs: ['get', 'list'] }, when: res('list', 'pods'), matches: true },
    { name: 'verb not listed', given: { verbs: ['get'] }, when: res('delete', 'pods'), matches: false },
    { name: 'verb "*"', given: { verbs: ['*'] }, when: res('deletecollection', 'pods'), matches: true },

    // apiGroups
    { name: 'core group ""', given: { apiGroups: [''] }, when: res('get', 'pods'), matches: true },
    {
      name: 'core group "" does not match apps',
      given: { apiGroups: [''], resources: ['deployments'] },
      when: res('get', 'deployments', { apiGroup: 'apps' }),
      matches: false,
    },
    {
      name: 'named group',
      given: { apiGroups: ['apps'], resources: ['deployments'] },
      when: res('get', 'deployments', { apiGroup: 'apps' }),
      matches: true,
    },
    {
      name: 'group "*" matches core too',
      given: { apiGroups: ['*'] },
      when: res('get', 'pods'),
      matches: true,
    },

    // resources and subresources
    { name: '"pods" matches pods', given: { resources: ['pods'] }, when: res('get', 'pods'), matches: true },
    {
      name: '"pods" does NOT match pods/exec',
      given: { resources: ['pods'], verbs: ['*'] },
      when: res('create', 'pods', { subresource: 'exec', name: 'p' }),
      matches: false,
    },
    {
      name: '"pods/exec" matches pods/exec',
      given: { resources: ['pods/exec'], verbs: ['create'] },
      when: res('create', 'pods', { subresource: 'exec', name: 'p' }),
      matches: true,
    },
    {
      name: '"pods/exec" does not match pods',
      given: { resources: ['pods/exec'] },
      when: res('get', 'pods'),
      matches: false,
    },
    {
      name: '"pods/log" does not match pods/exec',
      given: { resources: ['pods/log'], verbs: ['*'] },
      when: res('create', 'pods', { subresource: 'exec', name: 'p' }),
      matches: false,
    },
    {
      name: '"*/scale" matches deployments/scale',
      given: { apiGroups: ['apps'], resources: ['*/scale'], verbs: ['update'] },
      when: res('update', 'deployments', { apiGroup: 'apps', subresource: 'scale', name: 'web' }),
      matches: true,
    },
    {
      name: '"*/scale" does not match the deployment itself',
      given: { apiGroups: ['apps'], resources: ['*/scale'] },
      when: res('get', 'deployments', { apiGroup: 'apps', name: 'web' }),
      matches: false,
    },
    {
      name: '"*/scale" does not match another subresource',
      given: { apiGroups: ['apps'], resources: ['*/scale'] },
      when: res('get', 'deployments', { apiGroup: 'apps', subresource: 'status', name: 'web' }),
      matches: false,
    },
    { name: '"*" matches any resource', given: { resources: ['*'] }, when: res('get', 'secrets'), matches: true },
    {
      name: '"*" matches subresources too',
      given: { resources: ['*'], verbs: ['*'] },
      when: res('create', 'pods', { subresource: 'exec', name: 'p' }),
      matches: true,
    },

    // resourceNames
    {
      name: 'resourceNames: listed name',
      given: { resourceNames: ['web'] },
      when: res('get', 'pods', { name: 'web' }),
      matches: true,
    },
    {
      name: 'resourceNames: other name',
      given: { resourceNames: ['web'] },
      when: res('get', 'pods', { name: 'db' }),
      matches: false,
    },
    {
      name: 'resourceNames never match list (no name), like RBAC',
      given: { resourceNames: ['web'], verbs: ['list'] },
      when: res('list', 'pods'),
      matches: false,
    },
    {
      name: 'resourceNames never match create of a collection',
      given: { resourceNames: ['web'], verbs: ['create'] },
      when: res('create', 'pods'),
      matches: false,
    },
    { name: 'empty resourceNames = any', given: { resourceNames: [], verbs: ['list'] }, when: res('list', 'pods'), matches: true },

    // namespaces (Chaperone extension)
    {
      name: 'namespace listed',
      given: { namespaces: ['default'] },
      when: res('get', 'pods', { namespace: 'default' }),
      matches: true,
    },
    {
      name: 'namespace not listed',
      given: { namespaces: ['default'] },
      when: res('get', 'pods', { namespace: 'kube-system' }),
      matches: false,
    },
    {
      name: 'listed namespace does not cover all-namespaces list',
      given: { namespaces: ['default'], verbs: ['list'] },
      when: res('list', 'pods', { namespace: '' }),
      matches: false,
    },
    {
      name: 'omitted namespaces match cluster-scoped',
      given: { resources: ['nodes'] },
      when: res('get', 'nodes', { namespace: '' }),
      matches: true,
    },
    {
      name: 'namespaces "*" match anything',
      given: { namespaces: ['*'] },
      when: res('get', 'pods', { namespace: 'kube-system' }),
      matches: true,
    },
    {
      name: 'namespace "" = cluster scope',
      given: { namespaces: [''], resources: ['nodes'] },
      when: res('get', 'nodes', { namespace: '' }),
      matches: true,
    },

    // subjects
    { name: 'user listed', given: { subjects: { users: ['alice'] } }, when: res('get', 'pods'), matches: true },
    { name: 'user not listed', given: { subjects: { users: ['bob'] } }, when: res('get', 'pods'), matches: false },
    {
      name: 'agent listed',
      given: { subjects: { agents: ['deploy-bot'] } },
      when: res('get', 'pods'),
      matches: true,
    },
    {
      name: 'any one group of the identity',
      given: { subjects: { groups: ['ops'] } },
      when: res('get', 'pods'),
      who: identity({ groups: ['agents', 'ops'] }),
      matches: true,
    },
    {
      name: 'ANY entry across lists matches',
      given: { subjects: { users: ['bob'], groups: ['agents'] } },
      when: res('get', 'pods'),
      matches: true,
    },
    {
      name: 'group "*" matches an identity without groups',
      given: { subjects: { groups: ['*'] } },
      when: res('get', 'pods'),
      who: identity({ groups: [] }),
      matches: true,
    },
    {
      name: 'no entry matches',
      given: { subjects: { users: ['bob'], agents: ['other'], groups: ['ops'] } },
      when: res('get', 'pods'),
      matches: false,
    },

    // non-resource URLs
    {
      name: 'exact URL',
      given: { nonResourceURLs: ['/version'] },
      when: nonResourceRequest('get', '/version'),
      matches: true,
    },
    {
      name: 'exact URL is not a prefix',
      given: { nonResourceURLs: ['/api'] },
      when: nonResourceRequest('get', '/api/v1'),
      matches: false,
    },
    {
      name: 'trailing "*" is a prefix match',
      given: { nonResourceURLs: ['/apis/*'] },
      when: nonResourceRequest('get', '/apis/apps/v1'),
      matches: true,
    },
    {
      name: 'prefix without slash matches more than the segment (RBAC)',
      given: { nonResourceURLs: ['/heal*'] },
      when: nonResourceRequest('get', '/healthz'),
      matches: true,
    },
    {
      name: '"/apis/*" does not match "/apis"',
      given: { nonResourceURLs: ['/apis/*'] },
      when: nonResourceRequest('get', '/apis'),
      matches: false,
    },
    {
      name: '"*" matches any URL',
      given: { nonResourceURLs: ['*'] },
      when: nonResourceRequest('get', '/metrics'),
      matches: true,
    },
    {
      name: 'URL verb is checked',
      given: { nonResourceURLs: ['/version'] },
      when: nonResourceRequest('post', '/version'),
      matches: false,
    },
    {
      name: 'a resource rule never matches a URL',
      given: { resources: ['*'], apiGroups: ['*'] },
      when: nonResourceRequest('get', '/api/v1/pods'),
      matches: false,
    },
    {
      name: 'a URL rule never matches a resource request',
      given: { nonResourceURLs: ['*'], verbs: ['*'] },
      when: res('get', 'pods'),
      matches: false,
    },
  ];

  it.each(cases)('$name', ({ given, when, who, matches }) => {
    // Given a policy with a single allow rule
    const policy = policyOf([rule('r', given)]);
    // When the request is evaluated
    const decision = evaluate(policy, who ?? identity(), when);
    // Then it is allowed by that rule, or denied by default
    expect(decision.effect).toBe(matches ? 'allow' : 'deny');
    expect(decision.rule).toBe(matches ? 'r' : DEFAULT_DENY_RULE);
    expect(decision.matchedRules).toEqual(matches ? ['r'] : []);
  });
});

describe('evaluate: combining rules', () => {
  const get = res('get', 'pods', { name: 'p' });

  it('denies by default with a generated reason', () => {
    const policy = policyOf([rule('other', { resources: ['configmaps'] })]);
    expect(evaluate(policy, identity(), res('get', 'pods'))).toEqual({
      effect: 'deny',
      rule: DEFAULT_DENY_RULE,
      policyVersion: policy.version,
      reason: 'no rule allows get pods in namespace default',
      matchedRules: [],
      mask: false,
      unmasked: false,
      maskProfile: 'default',
      record: 'none',
    });
  });

  it('given an allow rule with unmasked, then responses are raw unless another matching rule asks for masking', () => {
    const raw = rule('raw-reads', { resources: ['pods'], unmasked: true });
    expect(evaluate(policyOf([raw]), identity(), get).unmasked).toBe(true);
    expect(evaluate(policyOf([raw, rule('mask-pods', { effect: 'mask', resources: ['pods'] })]), identity(), get).unmasked).toBe(false);
    expect(evaluate(policyOf([rule('plain', { resources: ['pods'] })]), identity(), get).unmasked).toBe(false);
    // Another allow rule matching first does not cancel the explicit grant; a deny still wins over both.
    expect(evaluate(policyOf([rule('plain', { resources: ['pods'] }), raw]), identity(), get).unmasked).toBe(true);
    expect(evaluate(policyOf([raw, rule('no', { effect: 'deny', resources: ['pods'] })]), identity(), get)).toMatchObject({ effect: 'deny', unmasked: false });
    // Approved, the request runs like an allowed one: raw only where an allow rule says so.
    expect(evaluate(policyOf([raw, rule('ask', { effect: 'approve', resources: ['pods'] })]), identity(), get)).toMatchObject({ effect: 'approve', unmasked: true });
    expect(evaluate(policyOf([rule('ask', { effect: 'approve', resources: ['pods'] })]), identity(), get)).toMatchObject({ effect: 'approve', unmasked: false });
  });

  it('given rules naming masking profiles, then the most masking profile wins; an unnamed rule counts as default', () => {
    const strict = rule('strict-pods', { resources: ['pods'], maskProfile: 'strict' });
    const light = rule('light-pods', { resources: ['pods'], maskProfile: 'structural-only' });
    expect(evaluate(policyOf([light, strict]), identity(), get).maskProfile).toBe('strict');
    expect(evaluate(policyOf([light]), identity(), get).maskProfile).toBe('structural-only');
    expect(evaluate(policyOf([light, rule('plain', { resources: ['pods'] })]), identity(), get).maskProfile).toBe('default');
    expect(evaluate(policyOf([rule('plain', { resources: ['pods'] })]), identity(), get).maskProfile).toBe('default');
  });

  it('given rules recording different levels, when several match, then the most recording level wins', () => {
    const policy = policyOf([
      rule('read', { resources: ['pods'], record: 'request' }),
      rule('audit-everything', { resources: ['*'], record: 'request-and-response' }),
      rule('quiet', { resources: ['pods'] }),
    ]);
    expect(evaluate(policy, identity(), get).record).toBe('request-and-response');
    expect(evaluate(policyOf([rule('quiet', { resources: ['pods'] })]), identity(), get).record).toBe('none');
  });

  it.each([
    [res('list', 'deployments', { apiGroup: 'apps', namespace: '' }), 'no rule allows list deployments.apps at cluster scope'],
    [res('create', 'pods', { subresource: 'exec', name: 'web' }), 'no rule allows create pods/exec "web" in namespace default'],
    [nonResourceRequest('get', '/metrics'), 'no rule allows get /metrics'],
  ])('describes the denied request: %#', (request, reason) => {
    expect(evaluate(policyOf([]), identity(), request).reason).toBe(reason);
  });

  it.each([
    ['allow', 'allowed by rule r'],
    ['mask', 'allowed with masking by rule r'],
    ['approve', 'requires approval by rule r'],
    ['deny', 'denied by rule r'],
  ] as const)('generates a reason for %s', (effect, reason) => {
    expect(evaluate(policyOf([rule('r', { effect })]), identity(), get).reason).toBe(reason);
  });

  it("uses the winning rule's own reason when given", () => {
    const policy = policyOf([rule('r', { effect: 'deny', reason: 'no pods today' })]);
    expect(evaluate(policy, identity(), get).reason).toBe('no pods today');
  });

  const permutations = <T>(xs: T[]): T[][] =>
    xs.length <= 1 ? [xs] : xs.flatMap((x, i) => permutations([...xs.slice(0, i), ...xs.slice(i + 1)]).map((p) => [x, ...p]));

  const effects = ['allow', 'mask', 'approve', 'deny'] as const;
  it.each(permutations([...effects]).map((order) => [order.join(' > ')]))(
    'most restrictive effect wins regardless of file order: %s',
    (order) => {
      // Given one matching rule per effect, in this file order
      const rules = order.split(' > ').map((effect) => rule(`r-${effect}`, { effect: effect as (typeof effects)[number] }));
      // When a request matches all of them
      const decision = evaluate(policyOf(rules), identity(), get);
      // Then deny wins, all are listed in file order, and mask is still flagged
      expect(decision.effect).toBe('deny');
      expect(decision.rule).toBe('r-deny');
      expect(decision.matchedRules).toEqual(rules.map((r) => r.name));
      expect(decision.mask).toBe(true);
    },
  );

  it.each([
    [['allow', 'mask'], 'mask'],
    [['approve', 'allow'], 'approve'],
    [['mask', 'approve', 'allow'], 'approve'],
  ] as const)('%j -> %s', (order, winner) => {
    const policy = policyOf(order.map((effect) => rule(`r-${effect}`, { effect })));
    expect(evaluate(policy, identity(), get).effect).toBe(winner);
  });

  it('breaks ties by file order', () => {
    // Given two equally restrictive matching rules
    const policy = policyOf([
      rule('unrelated', { resources: ['secrets'], effect: 'deny' }),
      rule('first', { effect: 'approve', verbs: ['*'] }),
      rule('second', { effect: 'approve', resources: ['*'] }),
    ]);
    // Then the first one in the file is reported
    const decision = evaluate(policy, identity(), get);
    expect(decision.rule).toBe('first');
    expect(decision.matchedRules).toEqual(['first', 'second']);
  });

  it('flags mask when a mask rule matches even if approve wins', () => {
    const policy = policyOf([rule('approve-all', { effect: 'approve' }), rule('mask-secrets', { effect: 'mask' })]);
    const decision = evaluate(policy, identity(), get);
    expect(decision).toMatchObject({ effect: 'approve', rule: 'approve-all', mask: true });
  });

  it('does not flag mask when only non-mask rules match', () => {
    const policy = policyOf([rule('a'), rule('mask-other', { effect: 'mask', resources: ['secrets'] })]);
    expect(evaluate(policy, identity(), get)).toMatchObject({ effect: 'allow', mask: false });
  });

  it('lists a rule once even if several of its entries hit the index', () => {
    const policy = policyOf([rule('r', { verbs: ['get', '*'], apiGroups: ['', '*'], resources: ['pods', '*'] })]);
    expect(evaluate(policy, identity(), get).matchedRules).toEqual(['r']);
  });

  it('reports the policy version', () => {
    const policy = policyOf([rule('r')]);
    expect(evaluate(policy, identity(), get).policyVersion).toMatch(/^sha256:[0-9a-f]{64}$/);
  });
});
