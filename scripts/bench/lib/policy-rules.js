// Policy decision time as the number of rules grows: the indexed evaluator (what the policy service
// runs) against a linear scan of every rule, for 10 and 10,000 rules, in this process.
'use strict';
const path = require('node:path');
const { performance } = require('node:perf_hooks');
const { ROOT } = require('../../stack');
const { GET_WORKER_POD } = require('./fixtures');

const rules = require(path.join(ROOT, 'services', 'policy', 'dist', 'rules'));

/** n rules over many resources and groups, plus the rule the measured request needs, last. */
function policyWith(n) {
  const specs = [];
  for (let i = 0; i < n - 1; i++) {
    specs.push({
      name: `rule-${i}`,
      effect: ['allow', 'mask', 'deny', 'approve'][i % 4],
      subjects: { groups: [`team-${i % 97}`] },
      verbs: [['get', 'list'], ['watch'], ['create', 'update', 'patch'], ['delete']][i % 4],
      apiGroups: [i % 3 === 0 ? '' : `g${i % 50}.example.com`],
      resources: [`res-${i % 500}`, ...(i % 7 === 0 ? ['configmaps'] : [])],
      namespaces: [`ns-${i % 31}`],
    });
  }
  specs.push({ name: 'agents-read-pods', effect: 'allow', subjects: { groups: ['agents'] }, verbs: ['get', 'list'], apiGroups: [''], resources: ['pods'] });
  return rules.compilePolicy({ apiVersion: 'chaperone.dev/v1alpha1', kind: 'Policy', rules: specs }, `bench-${n}`);
}

const identity = { subject: 's', username: 'bench', agent: 'bench-agent', groups: ['agents', 'team-3'], issuer: 'https://bench-issuer' };
const request = GET_WORKER_POD;

function linear(policy) {
  return rules.decisionFromMatches(policy.version, policy.rules.filter((r) => rules.ruleMatches(r, identity, request)), request);
}

/** Median µs per decision over several batches. */
function time(fn, iterations) {
  const batches = [];
  for (let b = 0; b < 7; b++) {
    const t = performance.now();
    for (let i = 0; i < iterations; i++) fn();
    batches.push(((performance.now() - t) * 1000) / iterations);
  }
  batches.sort((a, b) => a - b);
  return +batches[3].toFixed(2);
}

function policyDecisionTimes() {
  const out = {};
  for (const n of [10, 10_000]) {
    const policy = policyWith(n);
    const indexed = rules.evaluate(policy, identity, request);
    const scanned = linear(policy);
    if (JSON.stringify(indexed) !== JSON.stringify(scanned) || indexed.rule !== 'agents-read-pods') throw new Error(`index and linear scan disagree for ${n} rules`);
    out[n] = { indexedUs: time(() => rules.evaluate(policy, identity, request), n > 100 ? 20_000 : 50_000), linearUs: time(() => linear(policy), n > 100 ? 200 : 50_000) };
  }
  return out;
}

module.exports = { policyDecisionTimes };
