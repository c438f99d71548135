import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { formatPolicyErrors, loadPolicy, type PolicyError } from './load-policy';

const header = 'apiVersion: chaperone.dev/v1alpha1\nkind: Policy\nrules:\n';

/** A valid rule whose lines start at the given line of the document. */
const validRule = (name: string) =>
  [
    `  - name: ${name}`,
    '    effect: allow',
    '    subjects: { groups: ["agents"] }',
    '    verbs: ["get"]',
    '    apiGroups: [""]',
    '    resources: ["pods"]',
  ].join('\n') + '\n';

function errorsOf(text: string): PolicyError[] {
  const result = loadPolicy(text, 'policy.yaml');
  if (result.ok) throw new Error('expected the policy to be rejected');
  return result.errors;
}

describe('loadPolicy', () => {
  it('accepts the example policy shipped in deploy/', () => {
    const file = join(__dirname, '../../../../deploy/policy.example.yaml');
    const result = loadPolicy(readFileSync(file), file);
    expect(result.ok).toBe(true);
    if (result.ok) expect(result.policy.rules.map((r) => r.name)).toContain('deny-deletecollection');
    if (result.ok) expect(result.policy.rules.find((r) => r.name === 'agents-change-deployments-needs-approval')?.approval).toMatchObject({ mode: 'ticket', requiredApprovals: 2 });
  });

  it('the Kubernetes ConfigMap carries the example policy byte for byte', () => {
    const deploy = join(__dirname, '../../../../deploy');
    const configMap = parse(readFileSync(join(deploy, 'kubernetes/base/20-policy.yaml'), 'utf8')) as { data: Record<string, string> };
    expect(configMap.data['policy.yaml']).toBe(readFileSync(join(deploy, 'policy.example.yaml'), 'utf8'));
  });

  it('accepts an empty rule list (everything is denied)', () => {
    const result = loadPolicy(header.replace('rules:\n', 'rules: []\n'), 'p.yaml');
    expect(result.ok && result.policy.rules).toEqual([]);
  });

  it.each<[string, string, Partial<PolicyError>]>([
    [
      'a typo in a key (strict objects)',
      // line 4..9 is rule 0; line 10 is the typo
      header + validRule('a') + '    verb: ["list"]\n',
      { line: 10, column: 5, path: 'rules[0].verb', message: 'unknown field "verb" (did you mean "verbs"?)' },
    ],
    [
      'an unknown effect',
      header + validRule('a').replace('effect: allow', 'effect: permit'),
      { line: 5, column: 13, path: 'rules[0].effect', message: 'expected one of allow|mask|approve|deny' },
    ],
    [
      'an unknown effect in a later rule',
      header + validRule('a') + validRule('b').replace('effect: allow', 'effect: block'),
      { line: 11, column: 13, path: 'rules[1].effect' },
    ],
    [
      'a YAML syntax error',
      header + validRule('a').replace('verbs: ["get"]', 'verbs: ["get"'),
      { line: 8, path: '' },
    ],
    [
      'a duplicate rule name',
      header + validRule('same') + validRule('other') + validRule('same'),
      { line: 16, column: 11, path: 'rules[2].name', message: 'duplicate rule name "same" (first used by rules[0])' },
    ],
    [
      'a rule with both resources and nonResourceURLs',
      header + validRule('a') + '    nonResourceURLs: ["/api"]\n',
      { line: 10, column: 5, path: 'rules[0].nonResourceURLs', message: expect.stringContaining('cannot also have') },
    ],
    [
      'a rule with neither kind',
      header + validRule('a').replace('    apiGroups: [""]\n    resources: ["pods"]\n', ''),
      { line: 4, column: 5, path: 'rules[0]', message: 'a rule needs either apiGroups and resources, or nonResourceURLs' },
    ],
    [
      'a missing required field, located on its rule',
      header + validRule('a').replace('    effect: allow\n', ''),
      { line: 4, column: 5, path: 'rules[0].effect', message: 'missing required field "effect"' },
    ],
    [
      'a wrong type',
      header + validRule('a').replace('verbs: ["get"]', 'verbs: get'),
      { line: 7, column: 12, path: 'rules[0].verbs', message: 'expected a list, got string "get"' },
    ],
    [
      'an unknown resource verb (could never match)',
      header + validRule('a').replace('["get"]', '["get", "gett"]'),
      { line: 7, column: 20, path: 'rules[0].verbs[1]', message: expect.stringContaining('unknown verb') },
    ],
    [
      '"pods/*", which RBAC would silently never match',
      header + validRule('a').replace('["pods"]', '["pods", "pods/*"]'),
      { line: 9, column: 25, path: 'rules[0].resources[1]', message: expect.stringContaining('not an RBAC wildcard') },
    ],
    [
      'a versioned API group',
      header + validRule('a').replace('[""]', '["apps/v1"]'),
      { line: 8, path: 'rules[0].apiGroups[0]' },
    ],
    [
      'the reserved rule name',
      header + validRule('default-deny'),
      { line: 4, path: 'rules[0].name', message: '"default-deny" is reserved' },
    ],
    [
      'a rule without subjects',
      header + validRule('a').replace('{ groups: ["agents"] }', '{ groups: [] }'),
      { line: 6, path: 'rules[0].subjects', message: 'must list at least one of users, agents or groups' },
    ],
    [
      'a wrong apiVersion',
      header.replace('v1alpha1', 'v1') + validRule('a'),
      { line: 1, column: 13, path: 'apiVersion', message: 'expected "chaperone.dev/v1alpha1"' },
    ],
    ['a duplicate YAML key', header + validRule('a') + '    effect: deny\n', { line: 10, path: '' }],
    ['an empty file', '', { line: 1, message: 'the policy document is empty' }],
  ])('rejects %s with its position', (_title, text, expected) => {
    expect(errorsOf(text)).toEqual([expect.objectContaining(expected)]);
  });

  it('reports every problem at once, in file order', () => {
    const text =
      header +
      validRule('a').replace('effect: allow', 'effect: nope') +
      validRule('a').replace('verbs:', 'verb:');
    expect(errorsOf(text).map((e) => `${e.line}:${e.path}`)).toEqual([
      '5:rules[0].effect',
      '10:rules[1].verbs', // missing: located on the rule (column 5)
      '10:rules[1].name', // duplicate: located on the value (column 11)
      '13:rules[1].verb',
    ]);
  });

  it('formats errors like a compiler', () => {
    const errors = errorsOf(header + validRule('a') + validRule('b') + validRule('c').replace('allow', 'maybe'));
    expect(formatPolicyErrors('policy.yaml', errors)).toBe(
      'policy.yaml:17:13: rules[2].effect: expected one of allow|mask|approve|deny',
    );
    expect(formatPolicyErrors('p.yaml', [{ line: 0, column: 0, path: '', message: 'cannot read p.yaml: ENOENT' }])).toBe(
      'p.yaml: cannot read p.yaml: ENOENT',
    );
  });

  describe('version', () => {
    const text = header + validRule('a');
    const versionOf = (t: string | Uint8Array) => {
      const result = loadPolicy(t, 'p.yaml');
      if (!result.ok) throw new Error(formatPolicyErrors('p.yaml', result.errors));
      return result.policy.version;
    };

    it('is the sha256 of the exact bytes', () => {
      expect(versionOf(text)).toBe(versionOf(Buffer.from(text)));
      expect(versionOf(text)).toMatch(/^sha256:[0-9a-f]{64}$/);
    });

    it('changes with any content change, even a comment', () => {
      expect(versionOf(text + '# note\n')).not.toBe(versionOf(text));
      expect(versionOf(text.replace('"pods"', '"configmaps"'))).not.toBe(versionOf(text));
    });

    it('is stable for the same content', () => {
      expect(versionOf(text)).toBe(versionOf(`${text}`));
    });
  });
});
