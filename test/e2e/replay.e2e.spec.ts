import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { policyWith } from './support/policies';
import { E2EStack } from './support/e2e-stack';

/** Replay: what kubectl did through Chaperone, read back from the event store by the reports service. */
const POLICY = policyWith(`
  - name: agents-read
    effect: allow
    subjects: { groups: ["agents"] }
    verbs: ["get", "list", "watch"]
    apiGroups: [""]
    resources: ["pods", "secrets"]
    namespaces: ["default"]
  - name: agents-never-delete
    effect: deny
    subjects: { groups: ["agents"] }
    verbs: ["delete"]
    apiGroups: [""]
    resources: ["pods"]
`);

const ROOT = join(__dirname, '..', '..');
const s = new E2EStack();
const sessionId = `replay-${randomUUID().slice(0, 8)}`;
let reportsUrl = '';
let auditor = '';

interface Replay {
  sessionId: string;
  agent: string;
  steps: { command: string; outcome: string; entry: { verb: string; resource: string; decision: { effect: string; rule: string } | null; status: number | null; maskedValues: number } }[];
}

function chaperone(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [join(ROOT, 'tools', 'cli', 'bin', 'chaperone.js'), ...args], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { PATH: process.env['PATH'] ?? '', CHAPERONE_TOKEN: auditor },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}

/**
 * The replay once the reports service has projected `n` completed resource requests of the session.
 * kubectl's discovery requests complete too, so they must not count towards `n`.
 */
async function replayWith(n: number, timeoutMs = 30_000): Promise<Replay> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const res = await fetch(`${reportsUrl}/sessions/${sessionId}/replay`, { headers: { authorization: `Bearer ${auditor}` } });
    if (res.ok) {
      const r = (await res.json()) as Replay;
      const done = r.steps.filter((x) => x.entry.resource !== '' && x.entry.status !== null);
      if (done.length >= n) return r;
    }
    if (Date.now() > deadline) throw new Error(`the replay of ${sessionId} did not show ${n} completed requests in time`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

beforeAll(async () => {
  await s.start(POLICY, { checkpoints: true });
  reportsUrl = (s.services.get('reports')?.health ?? '').replace(/\/healthz$/, '');
  auditor = await s.issuer.sign({ sub: 'auditor-1', groups: ['compliance'] });
}, 90_000);

afterAll(async () => {
  await s.stop();
});

it('the replay of a session shows what kubectl did, in order, with decisions (API and CLI)', async () => {
  // Generous waits: the projection and the checkpoints are asynchronous, and CI machines are shared.
  const token = await s.issuer.sign({ sub: 'agent-replay-bot', agent: 'replay-bot', groups: ['agents'], sid: sessionId });
  const kubeconfig = s.kubeconfig(token);
  const pods = await s.kubectl(kubeconfig, ['get', 'pods']);
  expect(pods.code).toBe(0);
  const secret = await s.kubectl(kubeconfig, ['get', 'secret', 'db-credentials', '-o', 'yaml']);
  expect(secret.code).toBe(0);
  const del = await s.kubectl(kubeconfig, ['delete', 'pod', 'worker-0', '-n', 'default']);
  expect(del.code).not.toBe(0);
  expect(del.stderr).toContain('agents-never-delete');

  const replay = await replayWith(3);
  // kubectl's discovery requests are part of the session too; the resource requests are in kubectl's order.
  const resourceSteps = replay.steps.filter((x) => x.entry.resource !== '');
  expect(resourceSteps.map((x) => x.command)).toEqual([
    'kubectl get pods -n default',
    'kubectl get secrets db-credentials -n default',
    'kubectl delete pods worker-0 -n default',
  ]);
  expect(resourceSteps.map((x) => [x.entry.decision?.effect, x.entry.decision?.rule, x.entry.status])).toEqual([
    ['allow', 'agents-read', 200],
    ['allow', 'agents-read', 200],
    ['deny', 'agents-never-delete', 403],
  ]);
  expect(resourceSteps[1]?.entry.maskedValues).toBeGreaterThan(0);
  expect(resourceSteps[1]?.outcome).toMatch(/200 forwarded; allowed by rule "agents-read"; masked \d+ values?/);
  expect(resourceSteps[2]?.outcome).toMatch(/403 refused; denied by rule "agents-never-delete"/);
  expect(replay.agent).toBe('replay-bot');

  // The CLI binary shows the same, as text and as JSON.
  const text = await chaperone(['replay', sessionId, '--server', reportsUrl]);
  expect(text.stderr).toBe('');
  expect(text.code).toBe(0);
  const order = ['$ kubectl get pods -n default', '$ kubectl get secrets db-credentials -n default', '$ kubectl delete pods worker-0 -n default'].map((c) => text.stdout.indexOf(c));
  expect(order.every((i) => i >= 0)).toBe(true);
  expect([...order].sort((a, b) => a - b)).toEqual(order);
  expect(text.stdout).toContain('denied by rule "agents-never-delete"');
  expect(text.stdout).not.toContain(auditor);
  const json = await chaperone(['replay', sessionId, '--json', '--server', reportsUrl]);
  expect(json.code).toBe(0);
  expect((JSON.parse(json.stdout) as Replay).steps.filter((x) => x.entry.resource !== '').map((x) => x.command)).toEqual(resourceSteps.map((x) => x.command));

  // The chains of everything stored so far verify, with signed checkpoints.
  const deadline = Date.now() + 30_000;
  let verify: { status: string; checkpoints?: { found: number; signaturesChecked: boolean }; problems?: unknown[] } = { status: '' };
  do {
    await new Promise((r) => setTimeout(r, 500));
    verify = (await (await fetch(`${reportsUrl}/verify`, { headers: { authorization: `Bearer ${auditor}` } })).json()) as typeof verify;
  } while ((verify.checkpoints?.found ?? 0) === 0 && Date.now() < deadline);
  expect(verify).toMatchObject({ status: 'verified', checkpoints: { signaturesChecked: true }, problems: [] });
  expect(verify.checkpoints?.found).toBeGreaterThan(0);

  // An agent may not read replays.
  const refused = await fetch(`${reportsUrl}/sessions/${sessionId}/replay`, { headers: { authorization: `Bearer ${token}` } });
  expect(refused.status).toBe(403);
}, 120_000);
