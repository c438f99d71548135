import type { PolicyDecided, RequestCompleted, RequestIntercepted, AuthenticationFailed, ChaperoneEvent } from '@chaperone/contracts';
import { policyWith } from './support/policies';
import { E2EStack, GATEWAY_TOKEN } from './support/e2e-stack';

/**
 * The spine, end to end: the real kubectl → ingress (HTTPS, OIDC) → policy over NATS → the test
 * API server, each service its own process.
 */
const POLICY = policyWith(`
  - name: agents-work-in-default
    effect: allow
    subjects: { groups: ["agents"] }
    verbs: ["get", "list", "watch", "create"]
    apiGroups: ["", "apps"]
    resources: ["pods", "pods/log", "configmaps", "deployments"]
    namespaces: ["default"]
  - name: no-deletes-by-agents
    effect: deny
    subjects: { groups: ["agents"] }
    verbs: ["delete", "deletecollection"]
    apiGroups: ["*"]
    resources: ["*"]
    reason: agents may not delete anything
`);

const stackUnderTest = new E2EStack();
let kubeconfig = '';
let agentToken = '';

beforeAll(async () => {
  await stackUnderTest.start(POLICY);
  agentToken = await stackUnderTest.agentToken('e2e-bot');
  kubeconfig = stackUnderTest.kubeconfig(agentToken);
}, 90_000);

afterAll(async () => {
  await stackUnderTest.stop();
});

const isType =
  <T extends ChaperoneEvent['type']>(type: T, requestId: string) =>
  (e: ChaperoneEvent): e is Extract<ChaperoneEvent, { type: T }> =>
    e.type === type && e.requestId === requestId;

describe('kubectl through Chaperone', () => {
  it('lists pods as the agent: the cluster sees the gateway credential and impersonation, never the agent token', async () => {
    stackUnderTest.apiserver.clearRequests();
    const r = await stackUnderTest.kubectl(kubeconfig, ['get', 'pods']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^NAME\s+READY\s+STATUS/m);

    const list = stackUnderTest.apiserver.requests.find((q) => q.method === 'GET' && q.url.startsWith('/api/v1/namespaces/default/pods'));
    expect(list).toBeDefined();
    expect(list?.headers['authorization']).toBe(`Bearer ${GATEWAY_TOKEN}`);
    expect(list?.headers['impersonate-user']).toBe('agent-e2e-bot');
    expect(list?.headers['impersonate-group']).toBe('agents');
    expect(list?.headers['impersonate-extra-chaperone.dev%2fsession-id']).toEqual(expect.any(String));
    const requestId = String(list?.headers['impersonate-extra-chaperone.dev%2frequest-id']);
    for (const q of stackUnderTest.apiserver.requests) {
      expect(JSON.stringify(q.headers)).not.toContain(agentToken);
    }

    // Every step of that request is on the bus as evidence.
    const intercepted = await stackUnderTest.waitForEvent(isType('RequestIntercepted', requestId));
    expect((intercepted as RequestIntercepted).payload.request).toMatchObject({ verb: 'list', resource: 'pods', namespace: 'default' });
    expect(intercepted.identity).toMatchObject({ username: 'agent-e2e-bot', agent: 'e2e-bot', groups: ['agents'] });
    const decided = (await stackUnderTest.waitForEvent(isType('PolicyDecided', requestId))) as PolicyDecided;
    expect(decided.payload.decision).toMatchObject({ effect: 'allow', rule: 'agents-work-in-default' });
    expect(decided.payload.decision.policyVersion).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(decided.payload.interceptEventId).toBe(intercepted.eventId);
    const completed = (await stackUnderTest.waitForEvent(isType('RequestCompleted', requestId))) as RequestCompleted;
    expect(completed.payload).toMatchObject({ outcome: 'forwarded', status: 200 });
    expect(completed.payload.bytesOut).toBeGreaterThan(0);
  });

  it('creates a configmap and reads it back as JSON', async () => {
    const created = await stackUnderTest.kubectl(kubeconfig, ['create', 'configmap', 'e2e-settings', '--from-literal=mode=fast']);
    expect(created.stderr).toBe('');
    expect(created.stdout.trim()).toBe('configmap/e2e-settings created');
    const got = await stackUnderTest.kubectl(kubeconfig, ['get', 'configmap', 'e2e-settings', '-o', 'json']);
    expect(got.code).toBe(0);
    expect(JSON.parse(got.stdout)).toMatchObject({ kind: 'ConfigMap', data: { mode: 'fast' }, metadata: { name: 'e2e-settings' } });
    const post = stackUnderTest.apiserver.requests.find((q) => q.method === 'POST' && q.url.startsWith('/api/v1/namespaces/default/configmaps'));
    expect(post?.headers['impersonate-user']).toBe('agent-e2e-bot');
  });

  it('refuses a delete by rule: kubectl prints the Status naming the rule, the cluster never sees it', async () => {
    stackUnderTest.apiserver.clearRequests();
    const pods = JSON.parse((await stackUnderTest.kubectl(kubeconfig, ['get', 'pods', '-o', 'json'])).stdout) as { items: { metadata: { name: string } }[] };
    const victim = pods.items[0]?.metadata.name;
    expect(victim).toBeDefined();
    const r = await stackUnderTest.kubectl(kubeconfig, ['delete', 'pod', String(victim)]);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain('Error from server (Forbidden)');
    expect(r.stderr).toContain('rule "no-deletes-by-agents"');
    expect(r.stderr).toContain('agents may not delete anything');
    expect(stackUnderTest.apiserver.requests.filter((q) => q.method === 'DELETE')).toHaveLength(0);
  });

  it('refuses exec by policy and kubectl shows the rule, not a protocol error', async () => {
    stackUnderTest.apiserver.clearRequests();
    const r = await stackUnderTest.kubectl(kubeconfig, ['exec', 'worker-0', '--', 'ls']);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain('chaperone policy denied this request (rule "default-deny"');
    expect(r.stderr).toContain('no rule allows create pods/exec "worker-0"');
    // kubectl reads the pod first (allowed); the exec itself never reaches the cluster.
    expect(stackUnderTest.apiserver.requests.filter((q) => q.url.includes('/exec'))).toHaveLength(0);
  });

  it('streams a watch: a pod created after `get -w` started shows up while the watch is open', async () => {
    const { spawn } = await import('node:child_process');
    const watcher = spawn('kubectl', ['--kubeconfig', kubeconfig, 'get', 'pods', '-w', '--request-timeout=0'], {
      env: { PATH: process.env['PATH'] ?? '', HOME: stackUnderTest.dir },
    });
    let out = '';
    watcher.stdout.on('data', (c: Buffer) => (out += c.toString()));
    try {
      await waitFor(() => /^NAME/m.test(out), 15_000, () => `watch header not seen: ${out}`);
      const created = await stackUnderTest.kubectl(kubeconfig, ['run', 'late-arrival', '--image=busybox', '--restart=Never']);
      expect(created.stderr).toBe('');
      await waitFor(() => out.includes('late-arrival'), 10_000, () => `watch did not stream the new pod: ${out}`);
    } finally {
      watcher.kill();
    }
  });

  it('streams `logs -f`: lines arrive while the upstream keeps the response open', async () => {
    const { spawn } = await import('node:child_process');
    const follower = spawn('kubectl', ['--kubeconfig', kubeconfig, 'logs', '-f', 'worker-0', '--request-timeout=0'], {
      env: { PATH: process.env['PATH'] ?? '', HOME: stackUnderTest.dir },
    });
    let out = '';
    follower.stdout.on('data', (c: Buffer) => (out += c.toString()));
    try {
      const first = out.split('\n').length;
      await waitFor(() => out.split('\n').length >= first + 3, 10_000, () => `no streamed log lines: ${out}`);
      expect(follower.exitCode).toBeNull(); // still following: the lines were streamed, not buffered to the end
    } finally {
      follower.kill();
    }
  });

  it('refuses a request without a token with 401, and records why', async () => {
    stackUnderTest.apiserver.clearRequests();
    // Over HTTPS kubectl would prompt for a user name when its kubeconfig has no credential; over
    // plain HTTP it sends no Authorization header even with a token: the "no token" case as agents hit it.
    const r = await stackUnderTest.kubectl(stackUnderTest.kubeconfig(agentToken, { plainHttp: true }), ['get', 'pods']);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain('error: You must be logged in to the server');
    expect(stackUnderTest.apiserver.requests).toHaveLength(0);
    await stackUnderTest.waitForEvent((e): e is AuthenticationFailed => e.type === 'AuthenticationFailed' && e.payload.reason === 'missing');
  });

  it('refuses an expired token with 401, and never echoes it', async () => {
    stackUnderTest.apiserver.clearRequests();
    const expired = await stackUnderTest.agentToken('e2e-bot', ['agents'], { expiresIn: -3600 });
    const r = await stackUnderTest.kubectl(stackUnderTest.kubeconfig(expired), ['get', 'pods', '-v=8']);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/Unauthorized/);
    expect(r.stderr).toContain('token has expired');
    expect(stackUnderTest.apiserver.requests).toHaveLength(0);
    const failed = await stackUnderTest.waitForEvent(
      (e): e is AuthenticationFailed => e.type === 'AuthenticationFailed' && e.payload.reason === 'expired',
    );
    expect(JSON.stringify(failed)).not.toContain(expired);
  });

  it('fails closed: with the policy service stopped, kubectl gets 503 and the cluster sees nothing; restarted, it works again', async () => {
    await stackUnderTest.stopService('policy');
    stackUnderTest.apiserver.clearRequests();
    const r = await stackUnderTest.kubectl(kubeconfig, ['get', 'pods']);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain('could not get a policy decision, so the request was not sent');
    expect(stackUnderTest.apiserver.requests).toHaveLength(0);

    await stackUnderTest.startService('policy');
    const again = await stackUnderTest.kubectl(kubeconfig, ['get', 'pods']);
    expect(again.stderr).toBe('');
    expect(again.code).toBe(0);
  });
});

describe('policy service start-up', () => {
  it('stops with exit code 2 naming the file, line and reason when the policy is invalid', async () => {
    const { mkdtempSync, writeFileSync } = await import('node:fs');
    const { join } = await import('node:path');
    const { tmpdir } = await import('node:os');
    const dir = mkdtempSync(join(tmpdir(), 'bad-policy-'));
    const file = join(dir, 'policy.yaml');
    writeFileSync(file, POLICY.replace('effect: deny', 'effect: forbid'));
    await expect(stackUnderTest.startServiceWith('policy', { CHAPERONE_POLICY_FILE: file })).rejects.toThrow(
      new RegExp(`exited with code 2[\\s\\S]*policy\\.yaml:\\d+:\\d+: rules\\[2\\]\\.effect`),
    );
  });
});

async function waitFor(cond: () => boolean, timeoutMs: number, why: () => string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(why());
    await new Promise((r) => setTimeout(r, 50));
  }
}
