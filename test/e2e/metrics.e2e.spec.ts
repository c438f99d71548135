import { policyWith } from './support/policies';
import { E2EStack } from './support/e2e-stack';

/**
 * Operations: every service's `/metrics` (Prometheus text, on its health port) while the real
 * kubectl drives requests through the stack. Each figure an operator alerts or scales on is read
 * before and after the traffic that must move it.
 */
const POLICY = policyWith(`
  - name: agents-read
    effect: allow
    subjects: { groups: ["agents"] }
    verbs: ["get", "list"]
    apiGroups: [""]
    resources: ["pods", "secrets", "configmaps"]
    namespaces: ["default"]
  - name: no-deletes
    effect: deny
    subjects: { agents: ["ops-bot"] }
    verbs: ["delete"]
    apiGroups: [""]
    resources: ["configmaps"]
    reason: agents may not delete configmaps
  - name: pod-deletes-need-a-human
    effect: approve
    subjects: { agents: ["ops-bot"] }
    verbs: ["delete"]
    apiGroups: [""]
    resources: ["pods"]
    reason: deleting a pod needs a human
    approval: { approverGroups: ["approvers"], mode: ticket, timeout: 10m }
`);

const SERVICES = ['ingress', 'policy', 'masking', 'approval', 'audit', 'reports', 'mcp'] as const;
type Service = (typeof SERVICES)[number];

const s = new E2EStack();
let kubeconfig = '';

beforeAll(async () => {
  await s.start(POLICY, { checkpoints: true, mcp: true });
  s.apiserver.addObjects('secrets', '', [
    { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'metrics-db', namespace: 'default' }, type: 'Opaque', data: { password: Buffer.from('s3cr3t-metrics').toString('base64') } },
  ]);
  s.apiserver.addObjects('pods', '', [
    { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'metrics-pod', namespace: 'default' }, spec: { containers: [{ name: 'main', image: 'busybox' }] } },
  ]);
  kubeconfig = s.kubeconfig(await s.agentToken('ops-bot'));
}, 120_000);

afterAll(async () => {
  await s.stop();
});

async function scrape(service: Service): Promise<string> {
  const health = s.services.get(service)?.health;
  if (!health) throw new Error(`${service} is not running`);
  const res = await fetch(new URL('/metrics', health));
  expect(res.status).toBe(200);
  return res.text();
}

/** The sum of every series of `name` whose labels include all of `labels` (undefined: no such series). */
function value(text: string, name: string, labels: Record<string, string | number> = {}): number | undefined {
  const wanted = Object.entries(labels).map(([k, v]) => `${k}="${v}"`);
  let sum: number | undefined;
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}{`) && !line.startsWith(`${name} `)) continue;
    const labelText = line.startsWith(`${name}{`) ? line.slice(name.length + 1, line.lastIndexOf('}')) : '';
    if (!wanted.every((w) => labelText.includes(w))) continue;
    sum = (sum ?? 0) + Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return sum;
}

async function until<T>(what: string, read: () => Promise<T | undefined>, ok: (v: T) => boolean, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await read();
    if (v !== undefined && ok(v)) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what} (last: ${String(v)})`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

describe('/metrics of every service during kubectl traffic', () => {
  it('every service is connected to NATS and shows process figures', async () => {
    for (const service of SERVICES) {
      const text = await scrape(service);
      expect(value(text, 'chaperone_nats_connection_status')).toBe(1);
      expect(value(text, 'process_cpu_time_total')).toBeGreaterThan(0);
      expect(text).toMatch(new RegExp(`target_info\\{[^}]*service_name="${service}"`));
    }
  });

  it('requests move the ingress, policy, masking, audit and reports figures', async () => {
    const before = Object.fromEntries(await Promise.all(SERVICES.map(async (n) => [n, await scrape(n)] as const))) as Record<Service, string>;
    const allowedGets = (t: string) => value(t, 'http_server_request_duration_count', { chaperone_decision: 'allow', k8s_verb: 'get', http_response_status_code: 200 }) ?? 0;
    const denied = (t: string) => value(t, 'http_server_request_duration_count', { chaperone_decision: 'deny', k8s_verb: 'delete', http_response_status_code: 403 }) ?? 0;
    const byRule = (t: string, rule: string) => value(t, 'chaperone_policy_decisions_total', { chaperone_policy_rule: rule }) ?? 0;

    const got = await s.kubectl(kubeconfig, ['get', 'secret', 'metrics-db', '-o', 'json']);
    expect(got.code).toBe(0);
    expect(got.stdout).not.toContain(Buffer.from('s3cr3t-metrics').toString('base64'));
    const refused = await s.kubectl(kubeconfig, ['delete', 'configmap', 'anything']);
    expect(refused.stderr).toContain('Forbidden');

    const ingress = await until('the ingress to count both requests', () => scrape('ingress'), (t) => allowedGets(t) > allowedGets(before.ingress) && denied(t) > denied(before.ingress));
    expect(value(ingress, 'http_server_request_duration_sum')).toBeGreaterThan(0);
    // What the requests waited on: the masked get went through every step, the deny stopped at the decision.
    const step = (t: string, name: string) => value(t, 'chaperone_ingress_step_duration_count', { chaperone_step: name }) ?? 0;
    for (const name of ['authenticate', 'decide', 'upstream', 'mask', 'complete']) expect({ name, grew: step(ingress, name) > step(before.ingress, name) }).toEqual({ name, grew: true });
    expect(step(ingress, 'decide') - step(before.ingress, 'decide')).toBeGreaterThan(step(ingress, 'upstream') - step(before.ingress, 'upstream'));
    expect(ingress).toMatch(/chaperone_ingress_step_duration_bucket\{[^}]*chaperone_step="decide"[^}]*le="0.001"\} \d/);
    expect(ingress).toMatch(/http_server_request_duration_bucket\{[^}]*http_request_method="GET"[^}]*le="\+Inf"\} [1-9]/);

    const policy = await scrape('policy');
    expect(byRule(policy, 'agents-read')).toBeGreaterThan(byRule(before.policy, 'agents-read'));
    expect(byRule(policy, 'no-deletes')).toBeGreaterThan(byRule(before.policy, 'no-deletes'));
    expect(value(policy, 'chaperone_policy_decision_duration_count', { chaperone_policy_effect: 'allow' })).toBeGreaterThan(0);

    const masking = await scrape('masking');
    expect(value(masking, 'chaperone_masking_bytes_total')).toBeGreaterThan(value(before.masking, 'chaperone_masking_bytes_total') ?? 0);
    expect(value(masking, 'chaperone_masking_values_total')).toBeGreaterThan(value(before.masking, 'chaperone_masking_values_total') ?? 0);
    expect(value(masking, 'chaperone_masking_failures_total')).toBe(0);

    const audit = await until('the audit service to append', () => scrape('audit'), (t) => (value(t, 'chaperone_audit_append_duration_count') ?? 0) > (value(before.audit, 'chaperone_audit_append_duration_count') ?? 0));
    expect(value(audit, 'chaperone_audit_consumer_lag')).toBeGreaterThanOrEqual(0);
    expect(value(audit, 'chaperone_audit_consumer_lag_age')).toBeGreaterThanOrEqual(0);
    // Checkpoints are signed every second in this stack: the last one is young.
    const age = await until('a signed checkpoint', async () => value(await scrape('audit'), 'chaperone_evidence_checkpoint_age'), (v) => v >= 0);
    expect(age).toBeLessThan(30);

    const reports = await until('the reports projection to move', () => scrape('reports'), (t) => (value(t, 'chaperone_reports_projection_position') ?? 0) > (value(before.reports, 'chaperone_reports_projection_position') ?? 0));
    expect(value(reports, 'chaperone_reports_projection_lag')).toBeGreaterThanOrEqual(0);
    expect(value(reports, 'chaperone_reports_projection_lag_age')).toBeGreaterThanOrEqual(0);
  });

  it('a held approval shows in the approval service’s gauges', async () => {
    expect(value(await scrape('approval'), 'chaperone_approval_held')).toBe(0);
    const held = await s.kubectl(kubeconfig, ['delete', 'pod', 'metrics-pod']);
    expect(held.stderr).toMatch(/Approval [0-9a-f-]{36} is pending/);
    const text = await until('the approval to be held', () => scrape('approval'), (t) => value(t, 'chaperone_approval_held') === 1);
    expect(value(text, 'chaperone_approval_oldest_age')).toBeGreaterThanOrEqual(0);
    expect(value(text, 'chaperone_approval_oldest_age')).toBeLessThan(60);
  });

  it('with the policy service gone, fail-closed 503s are counted as policy-unavailable', async () => {
    const refusals = (t: string) => value(t, 'chaperone_ingress_refusals_total', { error_type: 'policy-unavailable' }) ?? 0;
    const before = refusals(await scrape('ingress'));
    await s.stopService('policy');
    const r = await s.kubectl(kubeconfig, ['get', 'pods', '--request-timeout=20s']);
    expect(r.code).not.toBe(0);
    const text = await until('the refusal to be counted', () => scrape('ingress'), (t) => refusals(t) > before);
    expect(value(text, 'http_server_request_duration_count', { chaperone_decision: 'none', http_response_status_code: 503 })).toBeGreaterThan(0);
  }, 60_000);
});
