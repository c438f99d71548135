import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { CallToolResult, Progress } from '@modelcontextprotocol/sdk/types.js';
import { FAKE_TOKEN } from '@chaperone/test-apiserver';
import type { ChaperoneEvent, McpToolCalled } from '@chaperone/contracts';
import { policyWith } from './support/policies';
import { E2EStack } from './support/e2e-stack';
import { eventually } from './support/eventually';

/**
 * The MCP door end to end: the SDK's own client → the MCP service → the ingress (with the agent's
 * token) → policy, masking, approvals → the test API server, every service its own process.
 * Approvals are decided with the real `chaperone approvals` CLI.
 */
const POLICY = policyWith(`
  - name: agents-read
    effect: allow
    subjects: { groups: ["agents"] }
    verbs: ["get", "list", "watch"]
    apiGroups: ["", "apps"]
    resources: ["pods", "pods/log", "events", "secrets", "configmaps", "deployments"]
    namespaces: ["default"]
  - name: agents-change-config-and-deployments
    effect: allow
    subjects: { groups: ["agents"] }
    verbs: ["create", "patch"]
    apiGroups: ["", "apps"]
    resources: ["configmaps", "deployments", "deployments/scale"]
    namespaces: ["default"]
  - name: mcp-bot-exec
    effect: allow
    subjects: { agents: ["mcp-bot"] }
    verbs: ["create"]
    apiGroups: [""]
    resources: ["pods/exec"]
  - name: exec-ticket
    effect: approve
    subjects: { agents: ["exec-careful-bot"] }
    verbs: ["create"]
    apiGroups: [""]
    resources: ["pods/exec"]
    reason: "a command in a pod needs a human"
    approval: { approverGroups: ["approvers"], allowModeHeader: true, timeout: 2m, grantTtl: 5m }
  - name: kube-system-is-off-limits
    effect: deny
    subjects: { groups: ["agents"] }
    verbs: ["*"]
    apiGroups: ["*"]
    resources: ["*"]
    namespaces: ["kube-system"]
    reason: "kube-system belongs to the platform team"
  - name: delete-pods-ticket-or-hold
    effect: approve
    subjects: { agents: ["mcp-bot"] }
    verbs: ["delete"]
    apiGroups: [""]
    resources: ["pods"]
    reason: "deleting a pod needs a human"
    approval: { approverGroups: ["approvers"], allowModeHeader: true, timeout: 2m, grantTtl: 5m }
  - name: delete-pods-hold-only
    effect: approve
    subjects: { agents: ["hold-bot"] }
    verbs: ["delete"]
    apiGroups: [""]
    resources: ["pods"]
    approval: { approverGroups: ["approvers"], timeout: 2m }
`);

const ROOT = join(__dirname, '..', '..');
const CLI = join(ROOT, 'tools', 'cli', 'bin', 'chaperone.js');

const s = new E2EStack();
let alice = '';

beforeAll(async () => {
  await s.start(POLICY, { mcp: true });
  alice = await s.issuer.sign({ sub: 'alice', groups: ['approvers'] });
}, 180_000);

afterAll(() => s.stop());

const clients: Client[] = [];
afterEach(async () => {
  for (const c of clients.splice(0)) await c.close();
});

async function connect(agent: string): Promise<Client> {
  const token = await s.agentToken(agent);
  const client = new Client({ name: `e2e-${agent}`, version: '0' });
  await client.connect(new StreamableHTTPClientTransport(new URL(s.mcpUrl), { requestInit: { headers: { authorization: `Bearer ${token}` } } }));
  clients.push(client);
  return client;
}

const textOf = (r: CallToolResult | Awaited<ReturnType<Client['callTool']>>): string =>
  (r.content as { type: string; text?: string }[]).map((c) => c.text ?? '').join('\n');

function addPod(name: string): void {
  s.apiserver.addObjects('pods', '', [
    { apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: 'default' }, spec: { containers: [{ name: 'main', image: 'busybox' }] } },
  ]);
}

const deletesOf = (pod: string) => s.apiserver.requests.filter((r) => r.method === 'DELETE' && r.url.startsWith(`/api/v1/namespaces/default/pods/${pod}`)).length;

/** `chaperone approvals <args>` as a person runs it, with alice's token in the environment. */
function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const approvalUrl = s.services.get('approval')?.urls[0] ?? '';
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [CLI, ...args], {
      env: { PATH: process.env['PATH'] ?? '', CHAPERONE_APPROVAL_URL: approvalUrl, CHAPERONE_TOKEN: alice },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}


describe('an MCP session through Chaperone', () => {
  it('lists its tools, annotated', async () => {
    const client = await connect('mcp-bot');
    const { tools } = await client.listTools();
    expect(tools.map((t) => t.name)).toEqual(
      expect.arrayContaining(['list_resources', 'get_resource', 'describe_resource', 'get_logs', 'list_events', 'apply_manifest', 'delete_resource', 'scale', 'rollout_restart', 'exec_command', 'approval_status', 'wait_for_approval']),
    );
    expect(tools.find((t) => t.name === 'delete_resource')?.annotations).toMatchObject({ destructiveHint: true, readOnlyHint: false });
  });

  it('leaves out the tools an agent can never use, from its rules in the policy', async () => {
    // narrow-bot is one of the agents: it may read and change configmaps and deployments, but no
    // rule lets it delete anything or run a command in a pod.
    const client = await connect('narrow-bot');
    const names = (await client.listTools()).tools.map((t) => t.name);
    expect(names).toEqual(expect.arrayContaining(['list_resources', 'get_resource', 'apply_manifest', 'scale', 'explain_permissions', 'approval_status', 'wait_for_approval']));
    expect(names).not.toContain('delete_resource');
    expect(names).not.toContain('exec_command');
    // The question went through the ingress as a self review, never to the cluster.
    const reviews = s.events.filter((e) => e.type === 'RequestIntercepted' && e.identity?.agent === 'narrow-bot' && e.payload.path.endsWith('/selfsubjectrulesreviews'));
    expect(reviews.length).toBeGreaterThan(0);
  });

  it('gets pods: a table from the cluster, fetched through the ingress as the agent', async () => {
    const client = await connect('mcp-bot');
    s.apiserver.clearRequests();
    const result = await client.callTool({ name: 'list_resources', arguments: { resource: 'pods' } });
    expect(result.isError).toBeFalsy();
    expect(textOf(result)).toMatch(/^NAME\s+READY\s+STATUS/m);
    expect(textOf(result)).toMatch(/^worker-0\s+/m);
    // The cluster saw the gateway's credential impersonating the agent: the request went through the ingress.
    const listed = s.apiserver.requests.find((r) => r.url.startsWith('/api/v1/namespaces/default/pods'));
    expect(listed?.headers['impersonate-user']).toBe('agent-mcp-bot');
    const intercepted = s.events.filter((e): e is ChaperoneEvent & { type: 'RequestIntercepted' } => e.type === 'RequestIntercepted' && e.payload.path === '/api/v1/namespaces/default/pods');
    expect(intercepted.some((e) => e.identity?.agent === 'mcp-bot')).toBe(true);
  });

  it('reads a secret and sees it masked; logs too', async () => {
    const client = await connect('mcp-bot');
    const secret = await client.callTool({ name: 'get_resource', arguments: { resource: 'secret', name: 'db-credentials' } });
    expect(secret.isError).toBeFalsy();
    const text = textOf(secret);
    expect(text).toMatch(/kind: Secret/);
    expect(text).toContain(`password: ${Buffer.from('***MASKED***').toString('base64')}`);
    expect(text).not.toContain(Buffer.from('s3cr3t-demo-password').toString('base64'));
    const logs = await client.callTool({ name: 'get_logs', arguments: { pod: 'worker-0', tailLines: 5 } });
    expect(textOf(logs)).toContain('connecting to upstream with token=');
    expect(textOf(logs)).not.toContain(FAKE_TOKEN);
  });

  it('describes an object with its events, and lists events', async () => {
    const client = await connect('mcp-bot');
    const pod = JSON.parse(textOf(await client.callTool({ name: 'get_resource', arguments: { resource: 'pods', name: 'worker-0', output: 'json' } }))) as { metadata: { uid: string } };
    s.apiserver.addObjects('events', '', [
      {
        apiVersion: 'v1',
        kind: 'Event',
        metadata: { name: 'worker-0.backoff', namespace: 'default' },
        involvedObject: { kind: 'Pod', name: 'worker-0', namespace: 'default', uid: pod.metadata.uid },
        reason: 'BackOff',
        type: 'Warning',
        message: 'Back-off restarting failed container',
        lastTimestamp: '2026-01-01T00:00:00Z',
        count: 4,
      },
      {
        apiVersion: 'v1',
        kind: 'Event',
        metadata: { name: 'worker-0.earlier-life', namespace: 'default' },
        // A pod of the same name before it was recreated: describe leaves it out (another uid).
        involvedObject: { kind: 'Pod', name: 'worker-0', namespace: 'default', uid: 'an-older-pod' },
        reason: 'Killing',
        type: 'Normal',
        message: 'Stopping container',
        lastTimestamp: '2025-12-31T00:00:00Z',
      },
    ]);
    const described = textOf(await client.callTool({ name: 'describe_resource', arguments: { resource: 'po', name: 'worker-0' } }));
    expect(described).toMatch(/name: worker-0/);
    // Oldest first: the added BackOff, then the demo cluster's own events about this pod; none of the earlier pod's.
    expect(described).toMatch(/Events:\nLAST SEEN\s+TYPE\s+REASON\s+COUNT\s+MESSAGE\n2026-01-01T00:00:00Z\s+Warning\s+BackOff\s+4\s+Back-off restarting failed container$/m);
    expect(described).toMatch(/\sNormal\s+Started\s+1\s+Started container worker$/m);
    expect(described).not.toContain('Stopping container');
    const events = textOf(await client.callTool({ name: 'list_events', arguments: { type: 'Warning' } }));
    expect(events).toMatch(/BackOff\s+pod\/worker-0/);
  });

  it('applies a manifest server-side, scales and restarts a deployment', async () => {
    const client = await connect('mcp-bot');
    const manifest = 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: mcp-applied\ndata:\n  mode: e2e\n';
    const applied = await client.callTool({ name: 'apply_manifest', arguments: { manifest } });
    expect(textOf(applied)).toBe('configmap/mcp-applied in default serverside-applied');
    const patch = s.apiserver.requests.find((r) => r.method === 'PATCH' && r.url.startsWith('/api/v1/namespaces/default/configmaps/mcp-applied'));
    expect(patch?.headers['content-type']).toBe('application/apply-patch+yaml');
    expect(patch?.url).toContain('fieldManager=chaperone-mcp');
    const got = textOf(await client.callTool({ name: 'get_resource', arguments: { resource: 'cm', name: 'mcp-applied' } }));
    expect(got).toMatch(/mode: e2e/);

    expect(textOf(await client.callTool({ name: 'scale', arguments: { name: 'web', replicas: 3 } }))).toBe('deployment.apps/web scaled to 3 replicas');
    const restarted = await client.callTool({ name: 'rollout_restart', arguments: { name: 'web' } });
    expect(textOf(restarted)).toMatch(/^deployment\.apps\/web restarted \(restartedAt \d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ\)$/);
    const web = textOf(await client.callTool({ name: 'get_resource', arguments: { resource: 'deployments.apps', name: 'web', output: 'json' } }));
    const obj = JSON.parse(web) as { spec: { replicas: number; template: { metadata: { annotations?: Record<string, string> } } } };
    expect(obj.spec.replicas).toBe(3);
    expect(obj.spec.template.metadata.annotations?.['kubectl.kubernetes.io/restartedAt']).toMatch(/Z$/);
  });

  it('refuses a denied call with the rule and its reason', async () => {
    const client = await connect('mcp-bot');
    const result = await client.callTool({ name: 'list_resources', arguments: { resource: 'pods', namespace: 'kube-system' } });
    expect(result.isError).toBe(true);
    expect(textOf(result)).toMatch(/^Error from server \(Forbidden\): chaperone policy denied this request \(rule "kube-system-is-off-limits"/);
    expect(textOf(result)).toContain('kube-system belongs to the platform team');
    expect(result.structuredContent).toMatchObject({ kind: 'Status', reason: 'Forbidden', code: 403 });
  });
});

describe('exec_command through the ingress', () => {
  const execsOf = (pod: string) => s.apiserver.requests.filter((r) => r.url.startsWith(`/api/v1/namespaces/default/pods/${pod}/exec`)).length;

  it('runs a command over WebSocket as the agent: output masked by the ingress, exit code from the status channel, the session in the evidence', async () => {
    const client = await connect('mcp-bot');
    const ok = await client.callTool({ name: 'exec_command', arguments: { pod: 'worker-0', command: ['echo', 'hello from mcp'] } });
    expect(ok.isError).toBeFalsy();
    expect(textOf(ok)).toBe('exit code 0\nstdout:\nhello from mcp\nstderr:\n(empty)');

    const failed = await client.callTool({ name: 'exec_command', arguments: { pod: 'worker-0', command: ['sh', '-c', `echo token=${FAKE_TOKEN}; cat /nope; exit 3`] } });
    expect(failed.isError).toBe(true);
    expect(textOf(failed)).toMatch(/^command terminated with exit code 3\nstdout:\ntoken=.+\nstderr:\ncat: can't open '\/nope'/);
    expect(textOf(failed)).not.toContain(FAKE_TOKEN);
    const requestId = (failed.structuredContent as { requestId: string }).requestId;
    expect(requestId).toEqual(expect.any(String));

    // The ingress recorded the session; the tool call names its request, in the same session stream.
    const session = await eventually(
      () => s.events.find((e): e is ChaperoneEvent & { type: 'ExecSessionRecorded' } => e.type === 'ExecSessionRecorded' && e.requestId === requestId),
      (e) => e !== undefined,
      'the exec session event',
    );
    expect(session?.payload).toMatchObject({ pod: 'worker-0', tty: false, stdin: false, exitCode: 3, outputMasked: true, protocol: 'v5.channel.k8s.io' });
    const call = await eventually(
      () => s.events.find((e): e is McpToolCalled => e.type === 'McpToolCalled' && e.payload.tool === 'exec_command' && e.payload.requestIds.includes(requestId)),
      (e) => e !== undefined,
      'the exec tool call event',
    );
    expect(call?.payload).toMatchObject({ outcome: 'error', message: 'command terminated with exit code 3' });
    expect(call?.sessionId).toBe(session?.sessionId);
    expect(JSON.stringify(call)).not.toContain(FAKE_TOKEN);
  });

  it('refuses a denied exec with the rule\'s reason', async () => {
    const client = await connect('mcp-bot');
    const denied = await client.callTool({ name: 'exec_command', arguments: { pod: 'anything', namespace: 'kube-system', command: ['id'] } });
    expect(denied.isError).toBe(true);
    expect(textOf(denied)).toMatch(/^Error from server \(Forbidden\): chaperone policy denied this request \(rule "kube-system-is-off-limits"/);
    expect(textOf(denied)).toContain('kube-system belongs to the platform team');
  });

  it('an exec that needs approval is pending at once; approved with the CLI, the identical call runs once', async () => {
    const client = await connect('exec-careful-bot');
    const args = { pod: 'worker-0', command: ['echo', 'approved exec'], reason: 'check the worker' };
    const before = execsOf('worker-0');
    const first = await client.callTool({ name: 'exec_command', arguments: args });
    const pending = first.structuredContent as { status: string; approvalId: string; retry: unknown };
    expect(pending).toMatchObject({ status: 'pending', approvalId: expect.any(String), retry: { tool: 'exec_command', arguments: args } });
    expect(execsOf('worker-0')).toBe(before);
    expect((await cli(['approvals', 'approve', pending.approvalId, '--reason', 'go ahead'])).code).toBe(0);
    const second = await client.callTool({ name: 'exec_command', arguments: args });
    expect(textOf(second)).toBe('exit code 0\nstdout:\napproved exec\nstderr:\n(empty)');
    expect(execsOf('worker-0')).toBe(before + 1);
  });
});

describe('explain_permissions', () => {
  it('answers from the policy, through the ingress (never the cluster): one question, or every rule in a namespace', async () => {
    const client = await connect('mcp-bot');
    s.apiserver.clearRequests();
    const del = await client.callTool({ name: 'explain_permissions', arguments: { verb: 'delete', resource: 'pods' } });
    expect(textOf(del)).toBe('delete pods in namespace default: yes, once a human approves it (allowed once a human approves it: deleting a pod needs a human)');
    const denied = await client.callTool({ name: 'explain_permissions', arguments: { verb: 'list', resource: 'pods', namespace: 'kube-system' } });
    expect(textOf(denied)).toBe('list pods in namespace kube-system: no (kube-system belongs to the platform team)');
    const rules = textOf(await client.callTool({ name: 'explain_permissions', arguments: {} }));
    expect(rules).toContain('- get,list,watch pods,pods/log,events,secrets,configmaps,deployments (api groups core,apps)');
    expect(rules).toContain('- delete pods (api groups core)');
    expect(rules).toMatch(/Note: deny rules \(kube-system-is-off-limits\)/);
    expect(s.apiserver.requests.filter((r) => r.url.includes('authorization.k8s.io'))).toEqual([]);
  });
});

describe('approvals over MCP', () => {
  it('a deletion is pending at once; approved with the CLI, wait_for_approval returns and the identical call deletes the pod once', async () => {
    addPod('mcp-doomed');
    const client = await connect('mcp-bot');
    const args = { resource: 'pods', name: 'mcp-doomed', reason: 'stuck since the upgrade' };

    const first = await client.callTool({ name: 'delete_resource', arguments: args });
    expect(first.isError).toBeFalsy();
    const pending = first.structuredContent as { status: string; approvalId: string; approvalUrl: string; expiresAt: string; retry: { tool: string; arguments: unknown } };
    expect(pending).toMatchObject({ status: 'pending', approvalUrl: expect.stringContaining(`/approvals/${pending.approvalId}`), retry: { tool: 'delete_resource', arguments: args } });
    expect(Date.parse(pending.expiresAt)).toBeGreaterThan(Date.now());
    expect(deletesOf('mcp-doomed')).toBe(0);

    const status = await client.callTool({ name: 'approval_status', arguments: { approvalId: pending.approvalId } });
    expect(status.structuredContent).toMatchObject({ status: 'pending', rule: 'delete-pods-ticket-or-hold', votes: 0, requiredApprovals: 1 });

    // The agent waits (with progress) while a human approves with the CLI.
    const progress: Progress[] = [];
    const waiting = client.callTool({ name: 'wait_for_approval', arguments: { approvalId: pending.approvalId, timeoutSeconds: 40 } }, undefined, {
      onprogress: (p) => void progress.push(p),
      timeout: 60_000,
    });
    await eventually(() => progress.length, (n) => n > 0, 'a progress notification while pending');
    const approved = await cli(['approvals', 'approve', pending.approvalId, '--reason', 'ok, it is stuck']);
    expect(approved).toMatchObject({ code: 0 });
    expect(approved.stdout).toContain('granted');
    const waited = await waiting;
    expect(waited.structuredContent).toMatchObject({ status: 'granted', decidedBy: ['alice'], decisionReason: 'ok, it is stuck' });
    expect(textOf(waited)).toContain('repeat the identical call');
    expect(progress[0]).toMatchObject({ progress: expect.any(Number), total: 40, message: expect.stringContaining('pending') });

    const second = await client.callTool({ name: 'delete_resource', arguments: args });
    expect(textOf(second)).toBe('pod "mcp-doomed" deleted');
    expect(deletesOf('mcp-doomed')).toBe(1);

    // The grant is used up: the identical call again opens a new approval and sends nothing.
    const third = await client.callTool({ name: 'delete_resource', arguments: args });
    expect((third.structuredContent as { status: string; approvalId: string }).approvalId).not.toBe(pending.approvalId);
    expect(deletesOf('mcp-doomed')).toBe(1);

    // Evidence: the ticket (403) and the executed request (200), both under the approval.
    const all = await eventually(
      () => s.evidence(),
      (rec) => rec.filter((r) => r.type === 'RequestCompleted' && (r.data as ChaperoneEvent & { type: 'RequestCompleted' }).payload.approvalId === pending.approvalId).length === 2,
      'both requests of the approval in the evidence store',
    );
    const statuses = all
      .filter((r) => r.type === 'RequestCompleted' && (r.data as ChaperoneEvent & { type: 'RequestCompleted' }).payload.approvalId === pending.approvalId)
      .map((r) => (r.data as ChaperoneEvent & { type: 'RequestCompleted' }).payload.status)
      .sort();
    expect(statuses).toEqual([200, 403]);
    expect(all.some((r) => r.stream === `approval-${pending.approvalId}` && r.type === 'ApprovalExecuted')).toBe(true);

    // Each tool call is evidence in the same session stream as the requests it made, naming them.
    const toolCalls = await eventually(
      () => s.evidence(),
      (rec) => rec.filter((r) => r.type === 'McpToolCalled' && (r.data as McpToolCalled).payload.tool === 'delete_resource' && (r.data as McpToolCalled).payload.arguments['name'] === 'mcp-doomed').length === 3,
      'the three delete_resource calls in the evidence store',
    );
    const deletes = toolCalls.filter((r) => r.type === 'McpToolCalled' && (r.data as McpToolCalled).payload.tool === 'delete_resource' && (r.data as McpToolCalled).payload.arguments['name'] === 'mcp-doomed');
    expect(deletes.map((r) => (r.data as McpToolCalled).payload.outcome)).toEqual(['pending', 'ok', 'pending']);
    const executed = deletes[1];
    const executedRequest = (executed?.data as McpToolCalled).payload.requestIds;
    expect(executedRequest).toHaveLength(1);
    const completedRecord = toolCalls.find((r) => r.type === 'RequestCompleted' && (r.data as ChaperoneEvent).requestId === executedRequest[0]);
    expect((completedRecord?.data as ChaperoneEvent & { type: 'RequestCompleted' }).payload).toMatchObject({ status: 200, approvalId: pending.approvalId });
    expect(completedRecord?.stream).toBe(executed?.stream);
    expect((executed?.data as McpToolCalled).identity?.agent).toBe('mcp-bot');
  });

  it('a rule that gives no tickets holds the call, with progress, until approved; then the pod is deleted once', async () => {
    addPod('mcp-held');
    const client = await connect('hold-bot');
    const progress: Progress[] = [];
    const call = client.callTool({ name: 'delete_resource', arguments: { resource: 'pods', name: 'mcp-held' } }, undefined, {
      onprogress: (p) => void progress.push(p),
      timeout: 90_000,
    });
    const listed = await eventually(
      () => cli(['approvals', 'list', '--agent', 'hold-bot', '--json']),
      (r) => r.code === 0 && (JSON.parse(r.stdout) as { items: unknown[] }).items.length > 0,
      'the held approval in the list',
    );
    const id = (JSON.parse(listed.stdout) as { items: { approvalId: string }[] }).items[0]?.approvalId ?? '';
    expect(deletesOf('mcp-held')).toBe(0);
    expect((await cli(['approvals', 'approve', id, '--reason', 'fine'])).code).toBe(0);
    const result = await call;
    expect(textOf(result)).toBe('pod "mcp-held" deleted');
    expect(deletesOf('mcp-held')).toBe(1);
    expect(progress[0]?.message).toMatch(/needs a human approval/);
  });
});

describe('chaperone mcp --stdio', () => {
  it('bridges a stdio MCP client to the same tools', async () => {
    const token = await s.agentToken('mcp-bot');
    const client = new Client({ name: 'stdio-e2e', version: '0' });
    await client.connect(
      new StdioClientTransport({
        command: process.execPath,
        args: [CLI, 'mcp', '--stdio'],
        env: { PATH: process.env['PATH'] ?? '', CHAPERONE_MCP_URL: s.mcpUrl, CHAPERONE_TOKEN: token },
        stderr: 'pipe',
      }),
    );
    clients.push(client);
    const result = await client.callTool({ name: 'list_resources', arguments: { resource: 'deployments', output: 'names' } });
    expect(textOf(result)).toBe('deployment.apps/web');
  });
});
