import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { MaskingApplied } from '@chaperone/contracts';
import { FAKE_EXEC_PASSWORD, FAKE_SERVICE_ACCOUNT_JWT } from '@chaperone/test-apiserver';
import { policyWith } from './support/policies';
import { E2EStack } from './support/e2e-stack';

/** Masking: no secret reaches the agent on any read path unless a rule allows raw reads. */
const POLICY = policyWith(`
  - name: agents-work
    effect: allow
    subjects: { groups: ["agents", "breakglass"] }
    verbs: ["get", "list", "watch", "create", "patch", "update"]
    apiGroups: ["", "apps"]
    resources: ["pods", "pods/log", "secrets", "configmaps", "deployments"]
    namespaces: ["default"]
  - name: agents-exec-masked
    effect: allow
    subjects: { groups: ["agents"] }
    verbs: ["create", "get"]
    apiGroups: [""]
    resources: ["pods/exec"]
    namespaces: ["default"]
  - name: pii-sensitive-readers
    effect: allow
    maskProfile: strict
    subjects: { groups: ["pii-sensitive"] }
    verbs: ["get"]
    apiGroups: [""]
    resources: ["configmaps"]
    namespaces: ["default"]
  - name: breakglass-raw-secrets
    effect: allow
    unmasked: true
    subjects: { groups: ["breakglass"] }
    verbs: ["get"]
    apiGroups: [""]
    resources: ["secrets"]
    namespaces: ["default"]
`);

const SEEDED = 's3cr3t-demo-password';
const SEEDED_B64 = Buffer.from(SEEDED).toString('base64');
const APPLIED = 'applied-value-Zk29xQ';
const ENV_PASSWORD = 'env-password-77Hq2';
const LOG_TOKEN = 'ghp_FAKEabcdefghijklmnopqrstuvwxyz0123456';
const LOG_PASSWORD = 'hunter2-not-a-real-password';

const s = new E2EStack();
let kubeconfig = '';

function expectClean(text: string): void {
  for (const secret of [SEEDED, SEEDED_B64, APPLIED, Buffer.from(APPLIED).toString('base64'), ENV_PASSWORD, LOG_TOKEN, LOG_PASSWORD]) {
    expect(text).not.toContain(secret);
  }
}

async function waitFor(cond: () => boolean, timeoutMs: number, why: () => string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(why());
    await new Promise((r) => setTimeout(r, 50));
  }
}

beforeAll(async () => {
  // A 64 MB list is masked in one exchange: allow for a busy 2-core CI machine.
  await s.start(POLICY, { env: { CHAPERONE_MASKING_TIMEOUT_MS: '120000' } });
  kubeconfig = s.kubeconfig(await s.agentToken('mask-bot'));
  // kubectl apply keeps the whole object in the last-applied-configuration annotation.
  const manifest = join(s.dir, 'applied.yaml');
  writeFileSync(
    manifest,
    `apiVersion: v1
kind: Secret
metadata: { name: applied-secret, namespace: default }
stringData: { api-key: ${APPLIED} }
---
apiVersion: apps/v1
kind: Deployment
metadata: { name: billing, namespace: default }
spec:
  replicas: 1
  selector: { matchLabels: { app: billing } }
  template:
    metadata: { labels: { app: billing } }
    spec:
      containers:
        - name: billing
          image: billing:1.0
          args: ["--db-password=${ENV_PASSWORD}"]
          env:
            - { name: DB_PASSWORD, value: ${ENV_PASSWORD} }
            - { name: LOG_LEVEL, value: debug }
`,
  );
  const applied = await s.kubectl(kubeconfig, ['apply', '-f', manifest]);
  expect(applied.stderr).toBe('');
  expectClean(applied.stdout);
}, 120_000);

afterAll(() => s.stop());

describe('kubectl reads through masking', () => {
  it('get secret -o yaml: values masked, keys kept, still valid base64', async () => {
    const r = await s.kubectl(kubeconfig, ['get', 'secret', 'db-credentials', '-o', 'yaml']);
    expect(r.code).toBe(0);
    expectClean(r.stdout);
    expect(r.stdout).toMatch(/password: \S+/);
  });

  it('get secrets -o json: every data value decodes to the mask marker', async () => {
    const r = await s.kubectl(kubeconfig, ['get', 'secrets', '-o', 'json']);
    expect(r.code).toBe(0);
    expectClean(r.stdout);
    const list = JSON.parse(r.stdout) as { items: { data?: Record<string, string> }[] };
    const values = list.items.flatMap((i) => Object.values(i.data ?? {}));
    expect(values.length).toBeGreaterThan(0);
    for (const v of values) expect(Buffer.from(v, 'base64').toString()).toContain('MASKED');
  });

  it('get secrets (Table) works and leaks nothing', async () => {
    const r = await s.kubectl(kubeconfig, ['get', 'secrets']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^NAME\s+TYPE\s+DATA/m);
    expectClean(r.stdout);
  });

  it('get deploy -o yaml: env passwords, flag passwords and the last-applied annotation are masked', async () => {
    const r = await s.kubectl(kubeconfig, ['get', 'deploy', 'billing', '-o', 'yaml']);
    expect(r.code).toBe(0);
    expectClean(r.stdout);
    expect(r.stdout).toContain('LOG_LEVEL');
    expect(r.stdout).toContain('debug');
    expect(r.stdout).toContain('kubectl.kubernetes.io/last-applied-configuration');
  });

  it('the applied secret’s last-applied annotation is masked too', async () => {
    const r = await s.kubectl(kubeconfig, ['get', 'secret', 'applied-secret', '-o', 'yaml']);
    expect(r.code).toBe(0);
    expectClean(r.stdout);
  });

  it('get secret -w -o json streams masked events', async () => {
    const watcher = spawn('kubectl', ['--kubeconfig', kubeconfig, 'get', 'secrets', '-w', '-o', 'json', '--request-timeout=0'], {
      env: { PATH: process.env['PATH'] ?? '', HOME: s.dir },
    });
    let out = '';
    watcher.stdout.on('data', (c: Buffer) => (out += c.toString()));
    try {
      await waitFor(() => out.includes('db-credentials'), 15_000, () => `watch showed nothing: ${out.slice(0, 300)}`);
      const created = await s.kubectl(kubeconfig, ['create', 'secret', 'generic', 'late-secret', `--from-literal=token=${APPLIED}`]);
      expect(created.code).toBe(0);
      await waitFor(() => out.includes('late-secret'), 10_000, () => `watch did not stream the new secret: ${out.slice(-300)}`);
      expectClean(out);
    } finally {
      watcher.kill();
    }
  });

  it('logs and logs -f: tokens and passwords in log lines are masked as lines arrive', async () => {
    const r = await s.kubectl(kubeconfig, ['logs', 'worker-0']);
    expect(r.code).toBe(0);
    expect(r.stdout.length).toBeGreaterThan(0);
    expectClean(r.stdout);
    const follower = spawn('kubectl', ['--kubeconfig', kubeconfig, 'logs', '-f', 'worker-0', '--request-timeout=0'], {
      env: { PATH: process.env['PATH'] ?? '', HOME: s.dir },
    });
    let out = '';
    follower.stdout.on('data', (c: Buffer) => (out += c.toString()));
    try {
      await waitFor(() => (out.match(/refreshed credentials/g) ?? []).length >= 1, 10_000, () => `no token line streamed: ${out}`);
      expect(follower.exitCode).toBeNull();
      expectClean(out);
    } finally {
      follower.kill();
    }
  });

  it('records MaskingApplied with what fired, never the values', async () => {
    const masked = s.events.filter((e): e is MaskingApplied => e.type === 'MaskingApplied' && e.payload.count > 0);
    expect(masked.length).toBeGreaterThan(0);
    expectClean(JSON.stringify(masked));
  });

  it('exec without a terminal is masked line by line under a rule without unmasked: true', async () => {
    const r = await s.kubectl(kubeconfig, ['exec', 'worker-0', '--', 'cat', '/etc/secret/token']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('password=');
    expect(r.stdout).not.toContain(FAKE_EXEC_PASSWORD);
    expect(r.stdout).not.toContain(FAKE_SERVICE_ACCOUNT_JWT);
  });

  it('a rule can pick the strict profile: PII (emails) masked for its readers only', async () => {
    const created = await s.kubectl(kubeconfig, ['create', 'configmap', 'owners', '--from-literal=owner=alice.owner@example.com']);
    expect(created.code).toBe(0);
    const plain = await s.kubectl(kubeconfig, ['get', 'configmap', 'owners', '-o', 'jsonpath={.data.owner}']);
    expect(plain.stdout).toBe('alice.owner@example.com');
    const strict = s.kubeconfig(await s.agentToken('pii-reader', ['pii-sensitive']));
    const masked = await s.kubectl(strict, ['get', 'configmap', 'owners', '-o', 'jsonpath={.data.owner}']);
    expect(masked.code).toBe(0);
    expect(masked.stdout).not.toContain('alice.owner@example.com');
  });

  it('a rule that allows raw reads shows them', async () => {
    const raw = s.kubeconfig(await s.agentToken('operator', ['breakglass']));
    const r = await s.kubectl(raw, ['get', 'secret', 'db-credentials', '-o', 'jsonpath={.data.password}']);
    expect(r.code).toBe(0);
    expect(Buffer.from(r.stdout, 'base64').toString()).toBe(SEEDED);
  });

  it('masks a 64 MB secret list: valid JSON, every item kept, no planted value', async () => {
    const planted = (i: number) => `planted-${i}-${'q'.repeat(700)}`;
    const count = 80_000;
    s.apiserver.addObjects(
      'secrets',
      '',
      Array.from({ length: count }, (_, i) => ({
        apiVersion: 'v1',
        kind: 'Secret',
        metadata: { name: `bulk-${i}`, namespace: 'default' },
        type: 'Opaque',
        data: { token: Buffer.from(planted(i)).toString('base64') },
      })),
    );
    const r = await s.request('/api/v1/namespaces/default/secrets', await s.agentToken('bulk-reader'));
    expect(r.status).toBe(200);
    const list = JSON.parse(r.body) as { items: { metadata: { name: string }; data?: Record<string, string> }[] };
    expect(list.items.filter((i) => i.metadata.name.startsWith('bulk-'))).toHaveLength(count);
    for (const i of [0, 1, 12_345, count - 1]) expect(r.body).not.toContain(Buffer.from(planted(i)).toString('base64').slice(0, 40));
    expect(r.body).not.toContain('cGxhbnRlZC0');
    const upstreamBytes = count * Buffer.from(planted(0)).toString('base64').length;
    expect(upstreamBytes).toBeGreaterThan(64 * 1024 * 1024);
  }, 120_000);

  it('masking service down: 503, and the response is never passed through; once found down, reads are refused before they are sent', async () => {
    await s.stopService('masking');
    // A read's answer is masked once it has arrived: the first read finds masking gone and its
    // answer is withheld (kubectl retries a 503 that names a retry time, so it may print either).
    const first = await s.kubectl(kubeconfig, ['get', 'secret', 'db-credentials', '-o', 'yaml']);
    expect(first.code).not.toBe(0);
    expect(first.stderr).toMatch(/could not mask the response, so it was withheld: no masking service is running|could not prepare masking for the response, so the request was not sent/);
    expectClean(first.stdout + first.stderr);
    const again = await s.kubectl(kubeconfig, ['get', 'secret', 'db-credentials', '-o', 'yaml']);
    expect(again.code).not.toBe(0);
    expect(again.stderr).toContain('could not prepare masking for the response, so the request was not sent');
    expectClean(again.stdout + again.stderr);
    await s.startService('masking');
  });
});
