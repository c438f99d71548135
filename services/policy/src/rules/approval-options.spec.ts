import { evaluate } from './evaluate';
import { loadPolicy, type PolicyError } from './load-policy';
import { parseDuration } from './approval-options';
import { identity, policyOf, resourceRequest, rule } from './test-support';

const header = 'apiVersion: chaperone.dev/v1alpha1\nkind: Policy\nrules:\n';

/** An approve rule on line 4 (name) whose extra lines follow from line 10. */
const approveRule = (extra: string, effect = 'approve') =>
  header +
  [
    '  - name: delete-pods',
    `    effect: ${effect}`,
    '    subjects: { groups: ["agents"] }',
    '    verbs: ["delete"]',
    '    apiGroups: [""]',
    '    resources: ["pods"]',
  ].join('\n') +
  '\n' +
  extra;

function errorsOf(text: string): PolicyError[] {
  const result = loadPolicy(text, 'policy.yaml');
  if (result.ok) throw new Error('expected the policy to be rejected');
  return result.errors;
}

const deletePod = resourceRequest('delete', 'pods', { name: 'x' });

describe('approval options of approve rules', () => {
  it('given an approve rule naming only its approver groups, then the decision carries the defaults', () => {
    const result = loadPolicy(approveRule('    approval: { approverGroups: ["sre"] }\n'), 'p.yaml');
    if (!result.ok) throw new Error(JSON.stringify(result.errors));
    expect(evaluate(result.policy, identity(), deletePod)).toMatchObject({
      effect: 'approve',
      rule: 'delete-pods',
      approval: {
        mode: 'hold',
        modeHeaderAllowed: false,
        timeoutSeconds: 300,
        approverGroups: ['sre'],
        requiredApprovals: 1,
        requireReason: false,
        grantTtlSeconds: 600,
      },
    });
  });

  it('given every option, then the decision carries them, durations in seconds', () => {
    const result = loadPolicy(
      approveRule(
        [
          '    approval:',
          '      mode: ticket',
          '      allowModeHeader: true',
          '      timeout: 2m30s',
          '      approverGroups: ["sre", "platform"]',
          '      requiredApprovals: 2',
          '      requireReason: true',
          '      grantTtl: 1h',
          '',
        ].join('\n'),
      ),
      'p.yaml',
    );
    if (!result.ok) throw new Error(JSON.stringify(result.errors));
    expect(evaluate(result.policy, identity(), deletePod).approval).toEqual({
      mode: 'ticket',
      modeHeaderAllowed: true,
      timeoutSeconds: 150,
      approverGroups: ['sre', 'platform'],
      requiredApprovals: 2,
      requireReason: true,
      grantTtlSeconds: 3600,
    });
  });

  it.each<[string, string, Partial<PolicyError>]>([
    ['an approve rule without approval options', '', { line: 4, column: 5, path: 'rules[0]', message: expect.stringContaining('needs approval.approverGroups') }],
    ['no approver groups', '    approval: { mode: hold }\n', { line: 10, path: 'rules[0].approval.approverGroups', message: 'missing required field "approverGroups"' }],
    ['an empty approver group list', '    approval: { approverGroups: [] }\n', { line: 10, column: 33, path: 'rules[0].approval.approverGroups', message: 'must list at least one group' }],
    ['an unknown mode', '    approval: { approverGroups: ["sre"], mode: wait }\n', { line: 10, path: 'rules[0].approval.mode', message: 'expected one of hold|ticket' }],
    ['a malformed timeout', '    approval: { approverGroups: ["sre"], timeout: 5 minutes }\n', { line: 10, path: 'rules[0].approval.timeout', message: expect.stringContaining('expected a duration') }],
    ['a zero grant lifetime', '    approval: { approverGroups: ["sre"], grantTtl: 0s }\n', { line: 10, path: 'rules[0].approval.grantTtl', message: 'must be between 1s and 24h' }],
    ['a timeout beyond a day', '    approval: { approverGroups: ["sre"], timeout: 25h }\n', { line: 10, path: 'rules[0].approval.timeout', message: 'must be between 1s and 24h' }],
    ['zero approvers', '    approval: { approverGroups: ["sre"], requiredApprovals: 0 }\n', { line: 10, path: 'rules[0].approval.requiredApprovals', message: 'must be at least 1' }],
    ['a typo in an option', '    approval: { approverGroups: ["sre"], requireReasons: true }\n', { line: 10, path: 'rules[0].approval.requireReasons', message: 'unknown field "requireReasons" (did you mean "requireReason"?)' }],
  ])('rejects %s, located', (_what, extra, expected) => {
    expect(errorsOf(approveRule(extra))).toEqual([expect.objectContaining(expected)]);
  });

  it('rejects approval options on a rule that is not an approve rule', () => {
    expect(errorsOf(approveRule('    approval: { approverGroups: ["sre"] }\n', 'allow'))).toEqual([
      expect.objectContaining({ line: 10, column: 5, path: 'rules[0].approval', message: "only an approve rule can have approval options (this rule's effect is allow)" }),
    ]);
  });

  it('given several matching approve rules, then the terms combine most restrictively; the winner names groups and mode', () => {
    const policy = policyOf([
      rule('first', { effect: 'approve', verbs: ['delete'], approval: { approverGroups: ['sre'], mode: 'ticket', allowModeHeader: true, timeout: '10m', requiredApprovals: 1, grantTtl: '5m' } }),
      rule('second', { effect: 'approve', verbs: ['*'], approval: { approverGroups: ['security'], mode: 'hold', timeout: '2m', requiredApprovals: 3, requireReason: true, grantTtl: '20m' } }),
      rule('third', { effect: 'approve', verbs: ['delete'], approval: { approverGroups: ['dba'], allowModeHeader: true } }),
    ]);
    expect(evaluate(policy, identity(), deletePod)).toMatchObject({
      rule: 'first',
      approval: {
        mode: 'ticket',
        modeHeaderAllowed: false, // "second" does not allow the header
        timeoutSeconds: 120,
        approverGroups: ['sre'],
        requiredApprovals: 3,
        requireReason: true,
        grantTtlSeconds: 300,
      },
    });
  });

  it('a deny winning over an approve rule carries no approval terms; neither do allow decisions', () => {
    const policy = policyOf([rule('ask', { effect: 'approve', verbs: ['delete'] }), rule('no', { effect: 'deny', verbs: ['delete'] }), rule('read', { verbs: ['get'] })]);
    expect(evaluate(policy, identity(), deletePod)).not.toHaveProperty('approval');
    expect(evaluate(policy, identity(), resourceRequest('get', 'pods', { name: 'x' }))).not.toHaveProperty('approval');
  });

  it.each<[string, number | undefined]>([
    ['90s', 90],
    ['5m', 300],
    ['1h30m', 5400],
    ['1h0m5s', 3605],
    ['', undefined],
    ['5', undefined],
    ['1.5h', undefined],
    ['5m1h', undefined],
  ])('parses the duration %p', (text, seconds) => {
    expect(parseDuration(text)).toBe(seconds);
  });
});
