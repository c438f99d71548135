import type { ChaperoneEvent } from '@chaperone/contracts';
import { E2EStack } from './support/e2e-stack';
import { policyWith } from './support/policies';

/**
 * `kubectl auth can-i` through Chaperone: the real kubectl sends SelfSubjectAccessReview and
 * SelfSubjectRulesReview; Chaperone answers them from its policy and the agent's registered scope,
 * never from the cluster, and each is evidence like any other request.
 */
const POLICY = policyWith(`
  - name: agents-read
    effect: allow
    subjects: { groups: ["agents"] }
    verbs: ["get", "list", "watch"]
    apiGroups: ["", "apps"]
    resources: ["pods", "deployments", "secrets"]
    namespaces: ["default", "kube-system"]
  - name: delete-pods-needs-a-human
    effect: approve
    subjects: { groups: ["agents"] }
    verbs: ["delete"]
    apiGroups: [""]
    resources: ["pods"]
    namespaces: ["default"]
    approval: { approverGroups: ["approvers"], timeout: 1m }
  - name: no-secrets
    effect: deny
    subjects: { groups: ["agents"] }
    verbs: ["*"]
    apiGroups: [""]
    resources: ["secrets"]
    reason: "secrets are off limits to agents"
`);
const AGENTS = `apiVersion: chaperone.dev/v1alpha1
kind: AgentRegistry
agents:
  - agent: asking-bot
    owner: alice@example.com
    purpose: asks what it may do
    scope: { namespaces: ["default"], verbs: ["get", "list", "delete"], apiGroups: ["", "apps"], resources: ["pods", "deployments", "secrets"] }
`;

const s = new E2EStack();
let kubeconfig = '';

beforeAll(async () => {
  await s.start(POLICY, { agentsYaml: AGENTS });
  kubeconfig = s.kubeconfig(await s.agentToken('asking-bot'));
}, 120_000);

afterAll(() => s.stop());

const canI = (...args: string[]) => s.kubectl(kubeconfig, ['auth', 'can-i', ...args]);

describe('kubectl auth can-i, answered by Chaperone', () => {
  it('says yes to what a rule allows and to what a human must approve', async () => {
    s.apiserver.clearRequests();
    expect(await canI('get', 'pods')).toMatchObject({ code: 0, stdout: 'yes\n' });
    expect(await canI('list', 'deployments.apps', '-n', 'default')).toMatchObject({ code: 0, stdout: 'yes\n' });
    expect(await canI('delete', 'pods')).toMatchObject({ code: 0, stdout: 'yes\n' });
    expect(s.apiserver.requests.filter((r) => r.url.includes('authorization.k8s.io'))).toEqual([]);
  });

  it('says no, with the reason, to what no rule allows, a rule denies, or the scope leaves out', async () => {
    s.apiserver.clearRequests();
    const create = await canI('delete', 'deployments.apps');
    expect(create.code).toBe(1);
    expect(create.stdout).toMatch(/^no - no rule allows delete deployments\.apps in namespace default/);
    const notInScope = await canI('create', 'pods');
    expect(notInScope.stdout).toMatch(/^no - agent "asking-bot" .*is not registered to create pods in namespace default/);
    const secrets = await canI('get', 'secrets');
    expect(secrets.code).toBe(1);
    expect(secrets.stdout).toContain('no - secrets are off limits to agents');
    const outside = await canI('get', 'pods', '-n', 'kube-system');
    expect(outside.code).toBe(1);
    expect(outside.stdout).toMatch(/^no - agent "asking-bot" .*is not registered to get pods in namespace kube-system/);
    expect(s.apiserver.requests.filter((r) => r.url.includes('authorization.k8s.io'))).toEqual([]);
  });

  it('--list lists the agent\'s rules in the namespace, narrowed to its scope, and warns that deny rules take away', async () => {
    s.apiserver.clearRequests();
    const listed = await canI('--list');
    expect(listed.code).toBe(0);
    const rows = listed.stdout.split('\n').map((l) => l.trim().split(/\s{2,}/));
    expect(rows[0]).toEqual(['Resources', 'Non-Resource URLs', 'Resource Names', 'Verbs']);
    expect(rows).toContainEqual(['pods', '[]', '[]', '[get list delete]']);
    expect(rows).toContainEqual(['deployments.apps', '[]', '[]', '[get list]']);
    expect(rows).toContainEqual(['selfsubjectaccessreviews.authorization.k8s.io', '[]', '[]', '[create]']);
    expect(listed.stdout).toMatch(/^\s+\[\/api\]\s+\[\]\s+\[get\]$/m);
    // watch is in the rule but not in the agent's registered scope.
    expect(listed.stdout).not.toMatch(/watch/);
    expect(listed.stderr).toContain('no-secrets');
    // Outside its scope's namespaces the agent may do nothing but ask.
    const elsewhere = await canI('--list', '-n', 'kube-system');
    expect(elsewhere.stdout).not.toMatch(/^pods/m);
    expect(s.apiserver.requests.filter((r) => r.url.includes('authorization.k8s.io'))).toEqual([]);
  });

  it('every review is evidence: intercepted, decided by the self-review rule, completed as answered', async () => {
    await canI('get', 'pods');
    const completed = await s.waitForEvent(
      (e): e is ChaperoneEvent & { type: 'RequestCompleted' } => e.type === 'RequestCompleted' && e.payload.outcome === 'answered',
    );
    expect(completed.payload.status).toBe(201);
    const decided = s.events.find((e): e is ChaperoneEvent & { type: 'PolicyDecided' } => e.type === 'PolicyDecided' && e.requestId === completed.requestId);
    expect(decided?.payload.decision).toMatchObject({ effect: 'allow', rule: 'self-review' });
    const intercepted = s.events.find((e): e is ChaperoneEvent & { type: 'RequestIntercepted' } => e.type === 'RequestIntercepted' && e.requestId === completed.requestId);
    expect(intercepted?.payload.path).toBe('/apis/authorization.k8s.io/v1/selfsubjectaccessreviews');
  });
});
