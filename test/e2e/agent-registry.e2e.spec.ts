import { execFile } from 'node:child_process';
import { get as httpsGet } from 'node:https';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { AgentRegistryEventSchema, EvidenceStreams, type PolicyDecided } from '@chaperone/contracts';
import { verifyStore } from '@chaperone/evidence-chain';
import { E2EStack } from './support/e2e-stack';
import { policyWith } from './support/policies';

/**
 * Agents as registered identities, end to end: the policy service applies the agents file to the
 * registry stream and refuses unregistered agents and requests outside an agent's scope, with a
 * Forbidden Status kubectl prints; every refusal is evidence, and the whole store verifies as
 * hash chains under signed checkpoints.
 */
const POLICY = policyWith(`
  - name: agents-read
    effect: allow
    subjects: { groups: ["agents"] }
    verbs: ["get", "list"]
    apiGroups: ["", "apps"]
    resources: ["pods", "deployments"]
    namespaces: ["default"]
`);
const AGENTS = `apiVersion: chaperone.dev/v1alpha1
kind: AgentRegistry
agents:
  - agent: registered-bot
    owner: alice@example.com
    purpose: reads pods for the e2e suite
    scope: { namespaces: ["default"], verbs: ["get", "list"], apiGroups: [""], resources: ["pods", "deployments"] }
  - agent: limited-bot
    owner: alice@example.com
    purpose: proves the per-agent rate limit
    scope: { namespaces: ["default"], verbs: ["get", "list"], apiGroups: [""], resources: ["pods"] }
    limits: { requestsPerSecond: 0.2, burst: 2 }
`;

const stack = new E2EStack();

beforeAll(async () => {
  // No file watching: the SIGHUP test below re-applies the agents file by signal alone.
  await stack.start(POLICY, { agentsYaml: AGENTS, checkpoints: true, env: { CHAPERONE_POLICY_WATCH: 'false' } });
}, 90_000);

afterAll(async () => {
  await stack.stop();
});

const decisionFor = (agent: string) => (e: { type: string; identity: { agent: string } | null }): e is PolicyDecided =>
  e.type === 'PolicyDecided' && e.identity?.agent === agent;

describe('per-agent limits', () => {
  it('an agent over its registered rate gets 429 with Retry-After; the refusal is evidence and never reaches the cluster', async () => {
    const token = await stack.agentToken('limited-bot');
    stack.apiserver.clearRequests();
    const answers: { status: number; retryAfter: string | undefined; body: string; requestId: string }[] = [];
    for (let i = 0; i < 3; i++) {
      const res = await fetchPods(token);
      answers.push(res);
    }
    expect(answers.map((a) => a.status)).toEqual([200, 200, 429]);
    const refused = answers[2];
    expect(Number(refused?.retryAfter)).toBeGreaterThanOrEqual(1);
    expect(JSON.parse(refused?.body ?? '{}')).toMatchObject({ kind: 'Status', reason: 'TooManyRequests', code: 429 });
    expect(stack.apiserver.requests.filter((q) => q.url.includes('/pods'))).toHaveLength(2);
    const completed = await eventually(
      async () => (await stack.evidence()).filter((e) => e.type === 'RequestCompleted' && (e.data as { requestId: string }).requestId === refused?.requestId),
      (found) => found.length === 1,
    );
    expect((completed[0]?.data as { payload: { outcome: string; status: number } }).payload).toMatchObject({ outcome: 'refused', status: 429 });
  });
});

function fetchPods(token: string): Promise<{ status: number; retryAfter: string | undefined; body: string; requestId: string }> {
  return new Promise((resolve, reject) => {
    httpsGet(new URL('/api/v1/namespaces/default/pods', stack.ingressUrl), { ca: stack.ingressCaPem(), headers: { authorization: `Bearer ${token}` } }, (res) => {
      let body = '';
      res.on('data', (c: Buffer) => (body += c.toString()));
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 0, retryAfter: res.headers['retry-after'], body, requestId: String(res.headers['x-chaperone-request-id'] ?? '') }),
      );
    }).on('error', reject);
  });
}

async function eventually<T>(fn: () => Promise<T>, ok: (v: T) => boolean, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (ok(v)) return v;
    if (Date.now() > deadline) throw new Error('not reached in time');
    await new Promise((r) => setTimeout(r, 200));
  }
}

describe('agent registry through kubectl', () => {
  it('a registered agent works inside its scope', async () => {
    const r = await stack.kubectl(stack.kubeconfig(await stack.agentToken('registered-bot')), ['get', 'pods']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^NAME\s+READY/m);
  });

  it('an unregistered agent is refused with a Forbidden Status naming the agent and the rule, and nothing reaches the cluster', async () => {
    stack.apiserver.clearRequests();
    const r = await stack.kubectl(stack.kubeconfig(await stack.agentToken('stranger-bot')), ['get', 'pods']);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain('Error from server (Forbidden)');
    expect(r.stderr).toContain('rule "unregistered-agent"');
    expect(r.stderr).toContain('agent "stranger-bot" is not registered with chaperone');
    expect(stack.apiserver.requests.filter((q) => q.url.includes('/pods'))).toEqual([]);
    const decided = await stack.waitForEvent(decisionFor('stranger-bot'));
    expect(decided.payload.decision).toMatchObject({ effect: 'deny', rule: 'unregistered-agent' });
  });

  it('a registered agent is refused outside its scope, even where the policy allows (its API groups name only the core group, so apps/deployments is out)', async () => {
    const r = await stack.kubectl(stack.kubeconfig(await stack.agentToken('registered-bot')), ['get', 'deployments']);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain('Error from server (Forbidden)');
    expect(r.stderr).toContain('rule "agent-out-of-scope"');
    expect(r.stderr).toContain('agent "registered-bot" (owner alice@example.com) is not registered to list deployments.apps in namespace default');
  });

  it('SIGHUP re-applies an edited agents file: a newly registered agent works, and the change is stored once', async () => {
    const late = stack.kubeconfig(await stack.agentToken('late-bot'));
    expect((await stack.kubectl(late, ['get', 'pods'])).stderr).toContain('rule "unregistered-agent"');
    writeFileSync(
      join(stack.dir, 'agents.yaml'),
      `${AGENTS}  - agent: late-bot
    owner: bob@example.com
    purpose: joined later
    scope: { namespaces: ["default"], verbs: ["get", "list"], resources: ["pods"] }
`,
    );
    stack.services.get('policy')?.child.kill('SIGHUP');
    const deadline = Date.now() + 10_000;
    for (;;) {
      const r = await stack.kubectl(late, ['get', 'pods']);
      if (r.code === 0) break;
      if (Date.now() > deadline) throw new Error(`late-bot still refused: ${r.stderr}`);
      await new Promise((res) => setTimeout(res, 200));
    }
  });

  it('the registration is stored once, the refusals are evidence, and the store verifies under signed checkpoints', async () => {
    const store = await stack.evidenceStore();
    const registry = (await store.readStream(EvidenceStreams.agentRegistry)).map((e) => AgentRegistryEventSchema.parse(e.data));
    expect(registry.map((e) => `${e.type} ${e.agent} ${e.owner}`)).toEqual([
      'AgentRegistered limited-bot alice@example.com',
      'AgentRegistered registered-bot alice@example.com',
      'AgentRegistered late-bot bob@example.com',
    ]);
    // The refusal's decision reaches the store (audit), and a checkpoint covers it.
    const deadline = Date.now() + 15_000;
    for (;;) {
      const events = await store.readAll();
      const refusalStored = events.some((e) => e.type === 'PolicyDecided' && (e.data as PolicyDecided).payload.decision.rule === 'unregistered-agent');
      const covered = events.filter((e) => e.stream === EvidenceStreams.checkpoints).length > 0 && events[events.length - 1]?.stream === EvidenceStreams.checkpoints;
      if (refusalStored && covered) break;
      if (Date.now() > deadline) throw new Error('the refusal was not stored and checkpointed in time');
      await new Promise((r) => setTimeout(r, 250));
    }
    const report = await verifyStore(store, { publicKey: stack.checkpointPublicKeyPem });
    expect(report).toMatchObject({ ok: true, problems: [] });
    expect(report.checkpoints).toBeGreaterThan(0);
    expect(report.streams).toBeGreaterThanOrEqual(4); // sessions, agent-registry, checkpoints

    // The auditor's command line says the same, reading the store the services wrote.
    const keyFile = join(stack.dir, 'checkpoint-public.pem');
    writeFileSync(keyFile, stack.checkpointPublicKeyPem);
    const cli = await new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
      execFile(
        process.execPath,
        [join(__dirname, '../../tools/cli/bin/chaperone.js'), 'verify', '--json', '--public-key-file', keyFile],
        { env: { PATH: process.env['PATH'] ?? '', CHAPERONE_NATS_URL: stack.natsUrl, CHAPERONE_BUS_PREFIX: stack.subjects.prefix } },
        (err, stdout, stderr) => resolve({ code: err ? Number(err.code ?? 1) : 0, stdout, stderr }),
      );
    });
    expect(cli.stderr).toBe('');
    expect(cli.code).toBe(0);
    expect(JSON.parse(cli.stdout)).toMatchObject({ ok: true, problems: [] });
  });
});
