import fc from 'fast-check';
import { DEFAULT_DENY_RULE, Effects, KubeVerbs, type Identity, type RequestInfo } from '@chaperone/contracts';
import { evaluate, decisionFromMatches } from './evaluate';
import { ruleMatches } from './match-rule';
import type { CompiledPolicy } from './compile-policy';
import type { PolicyRuleSpec } from './policy-schema';
import { identity, nonResourceRequest, policyOf, resourceRequest } from './test-support';

/*
 * Small vocabularies on purpose: rules and requests must collide often for the properties to
 * exercise wildcards, subresources, prefixes and ties rather than mostly-empty matches.
 */
const verbs = fc.constantFrom<string>('*', ...KubeVerbs);
const apiGroups = fc.constantFrom('', 'apps', '*');
const ruleResources = fc.constantFrom('pods', 'pods/exec', 'pods/log', 'deployments', 'deployments/scale', '*/scale', '*/exec', '*');
const names = fc.constantFrom('a', 'b');
const namespaces = fc.constantFrom('default', 'kube-system', '', '*');
const urls = fc.constantFrom('/api', '/api/*', '/apis', '/apis/*', '/ap*', '/version', '/healthz', '*');

const list = <T>(arb: fc.Arbitrary<T>, minLength = 1) => fc.uniqueArray(arb, { minLength, maxLength: 3 });

const subjects = fc
  .record({
    users: list(fc.constantFrom('alice', 'bob', '*'), 0),
    agents: list(fc.constantFrom('deploy-bot', 'other-bot'), 0),
    groups: list(fc.constantFrom('agents', 'ops', '*'), 0),
  })
  .filter((s) => s.users.length + s.agents.length + s.groups.length > 0);

const resourceRuleFields = fc.record(
  {
    verbs: list(verbs),
    apiGroups: list(apiGroups),
    resources: list(ruleResources),
    resourceNames: list(names, 0),
    namespaces: list(namespaces, 0),
  },
  { requiredKeys: ['verbs', 'apiGroups', 'resources'] },
);
const nonResourceRuleFields = fc.record({
  verbs: list(fc.constantFrom('get', 'post', '*')),
  nonResourceURLs: list(urls),
});

const ruleSpec = (name: string): fc.Arbitrary<PolicyRuleSpec> =>
  fc
    .tuple(fc.constantFrom(...Effects), subjects, fc.oneof(resourceRuleFields, nonResourceRuleFields))
    .map(([effect, subj, fields]) => ({ name, effect, subjects: subj, ...fields }));

const ruleList = fc
  .integer({ min: 0, max: 12 })
  .chain((n) => fc.tuple(...Array.from({ length: n }, (_, i) => ruleSpec(`r${i}`))));

const requests: fc.Arbitrary<RequestInfo> = fc.oneof(
  fc
    .record({
      verb: fc.constantFrom(...KubeVerbs),
      resource: fc.constantFrom('pods', 'deployments', 'secrets'),
      apiGroup: fc.constantFrom('', 'apps', 'batch'),
      subresource: fc.constantFrom('', 'exec', 'log', 'scale'),
      name: fc.constantFrom('', 'a', 'b', 'c'),
      namespace: fc.constantFrom('default', 'kube-system', ''),
    })
    .map(({ verb, resource, ...opts }) => resourceRequest(verb, resource, opts)),
  fc
    .record({
      verb: fc.constantFrom('get', 'post'),
      path: fc.constantFrom('/api', '/api/v1', '/apis', '/apis/apps/v1', '/version', '/healthz', '/', '/ap'),
    })
    .map(({ verb, path }) => nonResourceRequest(verb, path)),
);

const identities: fc.Arbitrary<Identity> = fc
  .record({
    username: fc.constantFrom('alice', 'bob', 'carol'),
    agent: fc.constantFrom('deploy-bot', 'other-bot', 'third-bot'),
    groups: fc.subarray(['agents', 'ops', 'dev']),
  })
  .map((fields) => identity(fields));

/** The reference: test every rule in file order, no index. */
function linearScan(policy: CompiledPolicy, who: Identity, request: RequestInfo) {
  const matched = policy.rules.filter((r) => ruleMatches(r, who, request));
  return decisionFromMatches(policy.version, matched, request);
}

const rank = (effect: string) => Effects.indexOf(effect as (typeof Effects)[number]);

describe('evaluate (properties)', () => {
  it('the index finds exactly what a linear scan over all rules finds', () => {
    fc.assert(
      fc.property(ruleList, identities, requests, (rules, who, request) => {
        const policy = policyOf(rules);
        expect(evaluate(policy, who, request)).toEqual(linearScan(policy, who, request));
      }),
      { numRuns: 2000 },
    );
  });

  it('on large random policies (up to 400 rules) the index decides exactly as a linear scan', () => {
    // Many rules share buckets here, so candidate merging and file-order tie-breaks across buckets
    // are exercised, not only the few-rule cases above.
    const largeRuleList = fc
      .integer({ min: 50, max: 400 })
      .chain((n) => fc.array(fc.tuple(fc.constantFrom(...Effects), subjects, fc.oneof(resourceRuleFields, nonResourceRuleFields)), { minLength: n, maxLength: n }))
      .map((specs) => specs.map(([effect, subj, fields], i): PolicyRuleSpec => ({ name: `r${i}`, effect, subjects: subj, ...fields })));
    fc.assert(
      fc.property(largeRuleList, fc.array(fc.tuple(identities, requests), { minLength: 20, maxLength: 20 }), (rules, cases) => {
        const policy = policyOf(rules);
        for (const [who, request] of cases) expect(evaluate(policy, who, request)).toEqual(linearScan(policy, who, request));
      }),
      { numRuns: 100 },
    );
  });

  it('adding a rule anywhere never loosens a decision some rule made (monotonicity)', () => {
    fc.assert(
      fc.property(
        ruleList,
        ruleSpec('added'),
        fc.nat(),
        identities,
        requests,
        (rules, added, at, who, request) => {
          const position = at % (rules.length + 1);
          const before = evaluate(policyOf(rules), who, request);
          const after = evaluate(policyOf([...rules.slice(0, position), added, ...rules.slice(position)]), who, request);
          if (before.rule === DEFAULT_DENY_RULE) {
            // Nothing matched before: only the added rule itself can decide now.
            expect(after.matchedRules).toEqual(after.rule === DEFAULT_DENY_RULE ? [] : ['added']);
          } else {
            // An explicit decision can only get stricter; in particular a deny stays a deny.
            expect(rank(after.effect)).toBeGreaterThanOrEqual(rank(before.effect));
            if (before.effect === 'deny') expect(after.effect).toBe('deny');
          }
          // Masking, once asked for, is never dropped.
          if (before.mask) expect(after.mask).toBe(true);
        },
      ),
      { numRuns: 1000 },
    );
  });

  it('file order does not change the effect, only which equally strict rule is reported', () => {
    fc.assert(
      fc.property(ruleList, identities, requests, (rules, who, request) => {
        const forward = evaluate(policyOf(rules), who, request);
        const reversed = evaluate(policyOf([...rules].reverse()), who, request);
        expect(reversed.effect).toBe(forward.effect);
        expect(reversed.mask).toBe(forward.mask);
        expect([...reversed.matchedRules].sort()).toEqual([...forward.matchedRules].sort());
      }),
      { numRuns: 500 },
    );
  });
});
