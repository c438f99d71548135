import { request as httpsRequest } from 'node:https';
import type { ChaperoneEvent } from '@chaperone/contracts';
import type { RecordedEvent } from '@chaperone/event-store';
import { policyWith } from './support/policies';
import { E2EStack, type KubectlResult } from './support/e2e-stack';
import { eventually } from './support/eventually';

/**
 * Just-in-time approval, end to end: the real kubectl → ingress → policy (approve) → approval
 * service (over NATS, lifecycle in the event store) ← approvers through its HTTP API, each service
 * its own process. Every case ends by reading the whole chain back from the event store.
 */
const POLICY = policyWith(`
  - name: agents-read-pods
    effect: allow
    subjects: { groups: ["agents"] }
    verbs: ["get", "list", "watch"]
    apiGroups: [""]
    resources: ["pods"]
  - name: delete-pods-held
    effect: approve
    subjects: { agents: ["hold-bot", "deny-bot", "gone-bot", "outage-bot"] }
    verbs: ["delete"]
    apiGroups: [""]
    resources: ["pods"]
    reason: deleting a pod needs a human
    approval: { approverGroups: ["approvers"], timeout: 2m }
  - name: delete-pods-ticket
    effect: approve
    subjects: { agents: ["ticket-bot", "self-bot", "restart-bot"] }
    verbs: ["delete"]
    apiGroups: [""]
    resources: ["pods"]
    reason: deleting a pod needs a human
    approval: { approverGroups: ["approvers"], mode: ticket, timeout: 5m, grantTtl: 5m }
  - name: delete-pods-two-approvers
    effect: approve
    subjects: { agents: ["pair-bot"] }
    verbs: ["delete"]
    apiGroups: [""]
    resources: ["pods"]
    approval: { approverGroups: ["approvers"], requiredApprovals: 2, timeout: 2m }
  - name: delete-pods-with-reason
    effect: approve
    subjects: { agents: ["reason-bot"] }
    verbs: ["delete"]
    apiGroups: [""]
    resources: ["pods"]
    approval: { approverGroups: ["approvers"], mode: ticket, requireReason: true }
  - name: delete-pods-short-wait
    effect: approve
    subjects: { agents: ["late-bot"] }
    verbs: ["delete"]
    apiGroups: [""]
    resources: ["pods"]
    approval: { approverGroups: ["approvers"], timeout: 3s }
  - name: patch-bot-reads-secrets
    effect: allow
    subjects: { agents: ["patch-bot"] }
    verbs: ["get"]
    apiGroups: [""]
    resources: ["secrets"]
  - name: patch-secrets-ticket
    effect: approve
    subjects: { agents: ["patch-bot"] }
    verbs: ["patch"]
    apiGroups: [""]
    resources: ["secrets"]
    approval: { approverGroups: ["approvers"], mode: ticket }
  - name: exec-needs-approval
    effect: approve
    subjects: { agents: ["exec-bot"] }
    verbs: ["create"]
    apiGroups: [""]
    resources: ["pods/exec"]
    approval: { approverGroups: ["approvers"], mode: ticket }
  - name: exec-runs-raw
    effect: allow
    subjects: { agents: ["exec-bot"] }
    verbs: ["create"]
    apiGroups: [""]
    resources: ["pods/exec"]
    unmasked: true
`);

const s = new E2EStack();
let alice = ''; // approver
let bob = ''; // second approver

beforeAll(async () => {
  await s.start(POLICY);
  alice = await s.issuer.sign({ sub: 'alice', groups: ['approvers'] });
  bob = await s.issuer.sign({ sub: 'bob', groups: ['approvers'] });
}, 120_000);

afterAll(() => s.stop());

function addPod(name: string): void {
  s.apiserver.addObjects('pods', '', [
    { apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: 'default' }, spec: { containers: [{ name: 'main', image: 'busybox' }] } },
  ]);
}

/** The approvers API, on the approval service's HTTP port (it may change when the service restarts). */
async function api(method: 'GET' | 'POST', path: string, token: string, body?: unknown): Promise<{ status: number; json: Record<string, unknown> }> {
  const health = s.services.get('approval')?.health;
  if (!health) throw new Error('the approval service is not running');
  const res = await fetch(new URL(path, new URL(health).origin), {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/json' } : {}) },
    ...(body ? { body: JSON.stringify(body) } : {}),
  });
  const text = await res.text();
  return { status: res.status, json: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
}

const approve = (id: string, token: string, reason: string) => api('POST', `/approvals/${id}/approve`, token, { reason });
const deny = (id: string, token: string, reason: string) => api('POST', `/approvals/${id}/deny`, token, { reason });


type Data = Record<string, unknown>;
const dataOf = (r: RecordedEvent) => r.data as Data;

/** The approval opened for an agent's request, once the approval service has stored it. */
async function approvalRequestedBy(agent: string, seen: ReadonlySet<string> = new Set()): Promise<string> {
  const requested = await eventually(
    () => s.evidence(),
    (all) => all.some((r) => r.type === 'ApprovalRequested' && (dataOf(r)['requester'] as Data)['agent'] === agent && !seen.has(String(dataOf(r)['approvalId']))),
    `an approval requested by ${agent}`,
  );
  const found = requested.find((r) => r.type === 'ApprovalRequested' && (dataOf(r)['requester'] as Data)['agent'] === agent && !seen.has(String(dataOf(r)['approvalId'])));
  return String(found && dataOf(found)['approvalId']);
}

/** Intercept, decision, the approval's lifecycle, execution and the upstream result, from the store. */
async function chainOf(approvalId: string, executedStatus: number): Promise<{ approval: RecordedEvent[]; requests: Map<string, string[]> }> {
  const all = await eventually(
    () => s.evidence(),
    (rec) =>
      rec.some(
        (r) =>
          r.type === 'RequestCompleted' &&
          (r.data as ChaperoneEvent & { type: 'RequestCompleted' }).payload.approvalId === approvalId &&
          (r.data as ChaperoneEvent & { type: 'RequestCompleted' }).payload.status === executedStatus,
      ),
    `RequestCompleted ${executedStatus} for approval ${approvalId} in the store`,
  );
  const approval = all.filter((r) => r.stream === `approval-${approvalId}`);
  const requestIds = new Set(
    all
      .filter((r) => r.type === 'RequestCompleted' && (r.data as ChaperoneEvent & { type: 'RequestCompleted' }).payload.approvalId === approvalId)
      .map((r) => (r.data as ChaperoneEvent).requestId),
  );
  const requests = new Map<string, string[]>();
  for (const id of requestIds) requests.set(id, all.filter((r) => r.stream.startsWith('session-') && (r.data as ChaperoneEvent).requestId === id).map((r) => r.type));
  return { approval, requests };
}

function completedOf(all: RecordedEvent[], requestId: string) {
  const r = all.find((e) => e.type === 'RequestCompleted' && (e.data as ChaperoneEvent).requestId === requestId);
  return r ? (r.data as ChaperoneEvent & { type: 'RequestCompleted' }).payload : undefined;
}

/** A raw DELETE as a client library would send it: headers kubectl cannot send, and the ticket's headers it does not print. */
function rawDelete(
  path: string,
  token: string,
  headers: Record<string, string> = {},
  body?: Buffer,
): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: string }> {
  return new Promise((resolve, reject) => {
    const req = httpsRequest(new URL(path, s.ingressUrl), {
        method: 'DELETE',
        ca: s.ingressCaPem(),
        // Node's client frames a DELETE body only with an explicit length.
        headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-length': String(body.length) } : {}), ...headers },
      }, (res) => {
      let body = '';
      res.on('data', (c: Buffer) => (body += c.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

const held = (kubeconfig: string, pod: string): Promise<KubectlResult> => s.kubectl(kubeconfig, ['delete', 'pod', pod, '--request-timeout=90s'], 100_000);

describe('hold mode: kubectl waits for the decision', () => {
  it('approved by a second identity: kubectl prints its normal output, the pod is gone, the chain is stored', async () => {
    addPod('held-1');
    const kubeconfig = s.kubeconfig(await s.agentToken('hold-bot'));
    const deleting = held(kubeconfig, 'held-1');
    const id = await approvalRequestedBy('hold-bot');
    expect(s.apiserver.requests.some((q) => q.method === 'DELETE' && q.url.includes('/pods/held-1'))).toBe(false);

    const approved = await approve(id, alice, 'the pod is stuck; restart it');
    expect(approved.status).toBe(200);
    const r = await deleting;
    expect(r.stderr).toBe('');
    expect(r.stdout.trim()).toBe('pod "held-1" deleted');
    expect(r.code).toBe(0);
    const gone = await s.kubectl(kubeconfig, ['get', 'pod', 'held-1']);
    expect(gone.stderr).toContain('NotFound');

    const { approval, requests } = await chainOf(id, 200);
    expect(approval.map((e) => e.type)).toEqual(['ApprovalRequested', 'ApprovalGranted', 'ApprovalExecuted']);
    expect(dataOf(approval[1] as RecordedEvent)).toMatchObject({ approver: { username: 'alice' }, reason: 'the pod is stuck; restart it' });
    const [requestId, types] = [...requests.entries()][0] ?? ['', []];
    expect(types).toEqual(expect.arrayContaining(['RequestIntercepted', 'PolicyDecided', 'RequestCompleted']));
    expect(dataOf(approval[0] as RecordedEvent)).toMatchObject({ requestId });
    expect(dataOf(approval[2] as RecordedEvent)).toMatchObject({ requestId });
  });

  it('denied with a reason: kubectl shows the reason, the cluster never sees the delete', async () => {
    addPod('held-2');
    const kubeconfig = s.kubeconfig(await s.agentToken('deny-bot'));
    const deleting = held(kubeconfig, 'held-2');
    const id = await approvalRequestedBy('deny-bot');
    expect((await deny(id, alice, 'not during the release freeze')).status).toBe(200);
    const r = await deleting;
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain('Error from server (Forbidden)');
    expect(r.stderr).toContain('not during the release freeze');
    expect(s.apiserver.requests.some((q) => q.method === 'DELETE' && q.url.includes('/pods/held-2'))).toBe(false);

    const { approval, requests } = await chainOf(id, 403);
    expect(approval.map((e) => e.type)).toEqual(['ApprovalRequested', 'ApprovalDenied']);
    expect(dataOf(approval[1] as RecordedEvent)).toMatchObject({ approver: { username: 'alice' }, reason: 'not during the release freeze' });
    expect([...requests.values()][0]).toEqual(expect.arrayContaining(['RequestIntercepted', 'PolicyDecided', 'RequestCompleted']));
  });

  it('a two-approver rule needs two distinct approvers: after one it still waits, after the second it runs', async () => {
    addPod('pair-1');
    const kubeconfig = s.kubeconfig(await s.agentToken('pair-bot'));
    const deleting = held(kubeconfig, 'pair-1');
    const id = await approvalRequestedBy('pair-bot');
    expect((await approve(id, alice, 'looks right')).status).toBe(200);
    expect((await api('GET', `/approvals/${id}`, bob)).json).toMatchObject({ approval: { status: 'pending', votes: [{ approver: { username: 'alice' } }] } });
    // The same approver again does not count twice.
    expect((await approve(id, alice, 'really')).status).toBe(409);
    expect(s.apiserver.requests.some((q) => q.method === 'DELETE' && q.url.includes('/pods/pair-1'))).toBe(false);
    expect((await approve(id, bob, 'agreed')).status).toBe(200);
    const r = await deleting;
    expect(r.stdout.trim()).toBe('pod "pair-1" deleted');

    const { approval } = await chainOf(id, 200);
    expect(approval.map((e) => e.type)).toEqual(['ApprovalRequested', 'ApprovalVoteRecorded', 'ApprovalGranted', 'ApprovalExecuted']);
    expect(dataOf(approval[1] as RecordedEvent)).toMatchObject({ approver: { username: 'alice' }, reason: 'looks right' });
    expect(dataOf(approval[2] as RecordedEvent)).toMatchObject({ approver: { username: 'bob' }, reason: 'agreed' });
  });
});

describe('hold mode: the wait survives and ends', () => {
  it('the approval service killed while kubectl is held: it keeps waiting, the restarted service’s approval lets it run', async () => {
    addPod('outage-1');
    const kubeconfig = s.kubeconfig(await s.agentToken('outage-bot'));
    const deleting = held(kubeconfig, 'outage-1');
    const id = await approvalRequestedBy('outage-bot');
    await s.stopService('approval'); // SIGKILL: polls fail for a while
    await new Promise((r) => setTimeout(r, 3000));
    expect(s.apiserver.requests.some((q) => q.method === 'DELETE' && q.url.includes('/pods/outage-1'))).toBe(false);
    await s.startService('approval');
    expect((await approve(id, alice, 'fine after the outage')).status).toBe(200);
    const r = await deleting;
    expect(r.stderr).toBe('');
    expect(r.stdout.trim()).toBe('pod "outage-1" deleted');
    const { approval } = await chainOf(id, 200);
    expect(approval.map((e) => e.type)).toEqual(['ApprovalRequested', 'ApprovalGranted', 'ApprovalExecuted']);
  }, 120_000);

  it('nobody decides within the rule’s timeout: kubectl is told the approval expired; nothing ran', async () => {
    addPod('late-1');
    const r = await held(s.kubeconfig(await s.agentToken('late-bot')), 'late-1');
    expect(r.stderr).toContain('Error from server (Forbidden)');
    expect(r.stderr).toContain('expired');
    const id = await approvalRequestedBy('late-bot');
    const { approval } = await chainOf(id, 403);
    expect(approval.map((e) => e.type)).toEqual(['ApprovalRequested', 'ApprovalExpired']);
    expect(s.apiserver.requests.some((q) => q.method === 'DELETE' && q.url.includes('/pods/late-1'))).toBe(false);
  });
});

describe('what approvers see, and what runs', () => {
  it('a patch to a Secret: approvers see the body and the live object masked; approved, the exact body reaches the cluster', async () => {
    const token = await s.agentToken('patch-bot');
    const kubeconfig = s.kubeconfig(token);
    const patch = '{"stringData":{"password":"hunter2-brand-new"}}';
    const first = await s.kubectl(kubeconfig, ['patch', 'secret', 'db-credentials', '-p', patch]);
    const id = /Approval ([0-9a-f-]{36}) is pending/.exec(first.stderr)?.[1] ?? '';
    expect(first.stderr).toContain('is pending');

    const view = (await api('GET', `/approvals/${id}`, alice)).json;
    // The live object the gateway fetched (as the agent) is there, with the Secret's data masked.
    expect(JSON.parse(String((view['liveObject'] as { masked: string }).masked))).toMatchObject({
      kind: 'Secret',
      metadata: { name: 'db-credentials' },
      data: { password: Buffer.from('***MASKED***').toString('base64') },
    });
    const shown = JSON.stringify(view);
    expect(shown).toContain('stringData');
    expect(shown).toContain('MASKED');
    expect(shown).not.toContain('hunter2-brand-new');
    expect(shown).not.toContain('s3cr3t-demo-password');
    expect(shown).not.toContain(Buffer.from('s3cr3t-demo-password').toString('base64'));

    expect((await approve(id, bob, 'rotate it')).status).toBe(200);
    const retry = await s.kubectl(kubeconfig, ['patch', 'secret', 'db-credentials', '-p', patch]);
    expect(retry.stderr).toBe('');
    expect(retry.stdout.trim()).toBe('secret/db-credentials patched');
    // The cluster got the agent's exact bytes (the gateway held them during the approval), once.
    const patches = s.apiserver.requests.filter((q) => q.method === 'PATCH' && q.url.startsWith('/api/v1/namespaces/default/secrets/db-credentials'));
    expect(patches.map((q) => q.body)).toEqual([patch]);
  });
});

describe('exec (a WebSocket upgrade) is always held', () => {
  it('held although the rule says ticket; denied, kubectl (after its SPDY retry) still prints the reason', async () => {
    addPod('exec-1');
    const kubeconfig = s.kubeconfig(await s.agentToken('exec-bot'));
    const running = s.kubectl(kubeconfig, ['exec', 'exec-1', '--request-timeout=90s', '--', 'ls'], 100_000);
    const id = await approvalRequestedBy('exec-bot');
    expect((await deny(id, alice, 'no shells on production pods')).status).toBe(200);
    const r = await running;
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain('no shells on production pods');
    expect(s.apiserver.requests.some((q) => q.url.includes('/pods/exec-1/exec'))).toBe(false);
  });
});

describe('hold mode: the agent gives up', () => {
  it('kubectl times out while held: the approval is cancelled (client gone), nothing reaches the cluster', async () => {
    addPod('gone-1');
    const kubeconfig = s.kubeconfig(await s.agentToken('gone-bot'));
    const r = await s.kubectl(kubeconfig, ['delete', 'pod', 'gone-1', '--request-timeout=3s']);
    expect(r.code).not.toBe(0);
    const id = await approvalRequestedBy('gone-bot');
    const all = await eventually(() => s.evidence(), (rec) => rec.some((e) => e.stream === `approval-${id}` && e.type === 'ApprovalCancelled'), 'ApprovalCancelled');
    expect(dataOf(all.find((e) => e.stream === `approval-${id}` && e.type === 'ApprovalCancelled') as RecordedEvent)).toMatchObject({ why: 'client-gone' });
    expect((await approve(id, alice, 'too late')).status).toBe(409);
    expect(s.apiserver.requests.some((q) => q.method === 'DELETE' && q.url.includes('/pods/gone-1'))).toBe(false);
  });
});

describe('the agent’s approval headers', () => {
  it('a rule that requires a reason refuses a request without one (403, nothing opened) and takes it from X-Chaperone-Reason', async () => {
    addPod('reason-1');
    const token = await s.agentToken('reason-bot');
    const kubectl = await s.kubectl(s.kubeconfig(token), ['delete', 'pod', 'reason-1']);
    expect(kubectl.stderr).toContain('Error from server (Forbidden)');
    expect(kubectl.stderr).toContain('X-Chaperone-Reason');
    expect(kubectl.stderr).not.toContain('is pending');

    const wrongMode = await rawDelete('/api/v1/namespaces/default/pods/reason-1', token, { 'x-chaperone-reason': 'ok', 'x-chaperone-approval-mode': 'hold' });
    expect(wrongMode.status).toBe(400);
    expect(JSON.parse(wrongMode.body)).toMatchObject({ reason: 'BadRequest', message: expect.stringContaining('does not let the agent choose the approval mode') });

    const tooBig = await rawDelete('/api/v1/namespaces/default/pods/reason-1', token, { 'x-chaperone-reason': 'ok', 'content-type': 'application/json' }, Buffer.alloc(3 * 1024 * 1024 + 1, 0x20));
    expect(tooBig.status).toBe(413);

    // UTF-8 bytes on the wire (Node's client writes header strings as latin1).
    const utf8 = Buffer.from('restart the stuck worker – OPS-42', 'utf8').toString('latin1');
    const withReason = await rawDelete('/api/v1/namespaces/default/pods/reason-1', token, { 'x-chaperone-reason': utf8 });
    expect(withReason.status).toBe(403);
    const id = String(withReason.headers['x-chaperone-approval-id']);
    const requested = await eventually(() => s.evidence(), (rec) => rec.some((e) => e.stream === `approval-${id}`), 'the approval in the store');
    expect(dataOf(requested.find((e) => e.stream === `approval-${id}`) as RecordedEvent)).toMatchObject({ reason: 'restart the stuck worker – OPS-42' });
    // The cluster never sees Chaperone's own headers (nor, here, any delete).
    expect(s.apiserver.requests.some((q) => Object.keys(q.headers).some((h) => h.startsWith('x-chaperone-')))).toBe(false);
  });
});

describe('ticket mode: 403 with an approval id at once, the identical retry runs once', () => {
  it('first call gets the ticket; approved, the retry succeeds once; a second identical retry needs a new approval', async () => {
    addPod('ticket-1');
    const token = await s.agentToken('ticket-bot');
    const kubeconfig = s.kubeconfig(token);
    const first = await s.kubectl(kubeconfig, ['delete', 'pod', 'ticket-1']);
    expect(first.code).not.toBe(0);
    expect(first.stderr).toContain('Error from server (Forbidden)');
    const id = /Approval ([0-9a-f-]{36}) is pending/.exec(first.stderr)?.[1] ?? '';
    expect(id).not.toBe('');
    expect(first.stderr).toContain(`/approvals/${id}`);

    // A client library sees the same approval in the headers, with Retry-After.
    const raw = await rawDelete('/api/v1/namespaces/default/pods/ticket-1', token);
    expect(raw.status).toBe(403);
    expect(JSON.parse(raw.body)).toMatchObject({ kind: 'Status', reason: 'Forbidden', details: { name: expect.any(String) } });
    expect(raw.headers['retry-after']).toMatch(/^\d+$/);
    expect(raw.headers['x-chaperone-approval-url']).toContain('/approvals/');

    expect((await approve(id, alice, 'go ahead')).status).toBe(200);
    const retry = await s.kubectl(kubeconfig, ['delete', 'pod', 'ticket-1']);
    expect(retry.stderr).toBe('');
    expect(retry.stdout.trim()).toBe('pod "ticket-1" deleted');
    expect(s.apiserver.requests.filter((q) => q.method === 'DELETE' && q.url.includes('/pods/ticket-1'))).toHaveLength(1);

    const again = await s.kubectl(kubeconfig, ['delete', 'pod', 'ticket-1']);
    expect(again.stderr).toContain('Error from server (Forbidden)');
    const newId = /Approval ([0-9a-f-]{36}) is pending/.exec(again.stderr)?.[1];
    expect(newId).toBeDefined();
    expect(newId).not.toBe(id);
    expect(s.apiserver.requests.filter((q) => q.method === 'DELETE' && q.url.includes('/pods/ticket-1'))).toHaveLength(1);

    const { approval, requests } = await chainOf(id, 200);
    expect(approval.map((e) => e.type)).toEqual(['ApprovalRequested', 'ApprovalGranted', 'ApprovalExecuted']);
    expect(dataOf(approval[1] as RecordedEvent)).toMatchObject({ approver: { username: 'alice' }, reason: 'go ahead' });
    const all = await s.evidence();
    const statuses = [...requests.keys()].map((rid) => completedOf(all, rid)?.status).sort();
    expect(statuses).toEqual(expect.arrayContaining([200, 403]));
    const executedBy = String(dataOf(approval[2] as RecordedEvent)['requestId']);
    expect(completedOf(all, executedBy)).toMatchObject({ outcome: 'forwarded', status: 200, approvalId: id });
    expect(requests.get(executedBy)).toEqual(expect.arrayContaining(['RequestIntercepted', 'PolicyDecided', 'RequestCompleted']));
  });

  it('a requester in the approver groups cannot approve its own request (403 from the API)', async () => {
    addPod('self-1');
    const token = await s.agentToken('self-bot', ['agents', 'approvers']);
    const first = await s.kubectl(s.kubeconfig(token), ['delete', 'pod', 'self-1']);
    const id = /Approval ([0-9a-f-]{36}) is pending/.exec(first.stderr)?.[1] ?? '';
    expect(id).not.toBe('');
    const self = await approve(id, token, 'trust me');
    expect(self.status).toBe(403);
    expect((await api('GET', `/approvals/${id}`, alice)).json).toMatchObject({ approval: { status: 'pending', votes: [] } });
  });

  it('the approval service killed while a request is pending, restarted, then approved: the retry completes', async () => {
    addPod('restart-1');
    const kubeconfig = s.kubeconfig(await s.agentToken('restart-bot'));
    const first = await s.kubectl(kubeconfig, ['delete', 'pod', 'restart-1']);
    const id = /Approval ([0-9a-f-]{36}) is pending/.exec(first.stderr)?.[1] ?? '';
    expect(id).not.toBe('');

    await s.stopService('approval'); // SIGKILL
    const down = await s.kubectl(kubeconfig, ['delete', 'pod', 'restart-1']);
    expect(down.stderr).toContain('Error from server (ServiceUnavailable)');
    await s.startService('approval');

    expect((await approve(id, bob, 'approved after the restart')).status).toBe(200);
    const retry = await s.kubectl(kubeconfig, ['delete', 'pod', 'restart-1']);
    expect(retry.stderr).toBe('');
    expect(retry.stdout.trim()).toBe('pod "restart-1" deleted');

    const { approval } = await chainOf(id, 200);
    expect(approval.map((e) => e.type)).toEqual(['ApprovalRequested', 'ApprovalGranted', 'ApprovalExecuted']);
    expect(dataOf(approval[1] as RecordedEvent)).toMatchObject({ approver: { username: 'bob' }, reason: 'approved after the restart' });
  });
});
