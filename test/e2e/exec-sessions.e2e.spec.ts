import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import * as http from 'node:http';
import * as tls from 'node:tls';
import type { ExecSessionRecorded, MaskingApplied, PortForwardRecorded, RequestCompleted } from '@chaperone/contracts';
import { FAKE_AWS_SECRET_ACCESS_KEY, FAKE_EXEC_PASSWORD, FAKE_SERVICE_ACCOUNT_JWT } from '@chaperone/test-apiserver';
import { policyWith } from './support/policies';
import { E2EStack } from './support/e2e-stack';

/**
 * exec, attach and port-forward through Chaperone with the real kubectl: relayed after the
 * cluster's 101, output masked without a terminal, every session recorded as a masked asciicast
 * in the blob store and named by ExecSessionRecorded.
 */
const POLICY = policyWith(`
  - name: read-pods
    effect: allow
    subjects: { groups: ["agents", "operators"] }
    verbs: ["get", "list"]
    apiGroups: [""]
    resources: ["pods"]
  - name: agents-exec-masked
    effect: allow
    subjects: { groups: ["agents"] }
    verbs: ["create", "get"]
    apiGroups: [""]
    resources: ["pods/exec", "pods/attach"]
  - name: operators-terminal
    effect: allow
    unmasked: true
    subjects: { groups: ["operators"] }
    verbs: ["create", "get"]
    apiGroups: [""]
    resources: ["pods/exec", "pods/portforward"]
  - name: exec-needs-approval
    effect: approve
    subjects: { agents: ["careful-bot"] }
    verbs: ["create"]
    apiGroups: [""]
    resources: ["pods/exec"]
    approval: { approverGroups: ["approvers"], mode: ticket }
`);

const POD = 'shell-0';
const s = new E2EStack();
let agent = '';
let operator = '';

beforeAll(async () => {
  await s.start(POLICY);
  s.apiserver.addObjects('pods', '', [
    {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: POD, namespace: 'default' },
      spec: { containers: [{ name: 'main', image: 'busybox', ports: [{ containerPort: 8080 }] }] },
    },
  ]);
  agent = s.kubeconfig(await s.agentToken('exec-bot'));
  operator = s.kubeconfig(await s.agentToken('operator-bot', ['operators']));
}, 120_000);

afterAll(() => s.stop());

async function until<T>(get: () => T | undefined, what: string, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = get();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** The session event of the exec whose command line was `command`, once the bus has it. */
function sessionOf(command: string[], opts: { tty?: boolean } = {}): Promise<ExecSessionRecorded> {
  return until(
    () => s.events.find((e): e is ExecSessionRecorded => e.type === 'ExecSessionRecorded' && JSON.stringify(e.payload.command) === JSON.stringify(command) && e.payload.tty === (opts.tty ?? false)),
    `ExecSessionRecorded for ${command.join(' ')}`,
  );
}

async function castOf(e: ExecSessionRecorded): Promise<{ header: Record<string, unknown>; events: [number, string, string][]; text: string }> {
  const deadline = Date.now() + 10_000;
  let blob = await s.blob(e.payload.recording.digest);
  while (!blob && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 100));
    blob = await s.blob(e.payload.recording.digest);
  }
  if (!blob) throw new Error('the recording is not in the blob store');
  const text = blob.toString('utf8');
  const [head, ...lines] = text.trim().split('\n');
  return { header: JSON.parse(head ?? '{}') as Record<string, unknown>, events: lines.map((l) => JSON.parse(l) as [number, string, string]), text };
}

/** Typed by the agent into an exec's argv (not read from the pod): the evidence must not keep them. */
const COMMAND_PASSWORD = 'typed-pw-5f1c9e';
const COMMAND_TOKEN = 'ghp_TypedInCommand0123456789abcdefABCD';
/** The masking engine's replacement value. */
const MASK = '***MASKED***';

function expectNoCommandSecret(text: string): void {
  for (const secret of [COMMAND_PASSWORD, COMMAND_TOKEN]) expect(text).not.toContain(secret);
}

function expectNoSecret(text: string): void {
  for (const secret of [FAKE_SERVICE_ACCOUNT_JWT, FAKE_EXEC_PASSWORD, FAKE_AWS_SECRET_ACCESS_KEY]) expect(text).not.toContain(secret);
}

describe('kubectl exec without a terminal: output masked, session recorded', () => {
  it('echo hi: the output, the exit code and a recording', async () => {
    const r = await s.kubectl(agent, ['exec', POD, '--', 'echo', 'hi']);
    expect(r).toMatchObject({ code: 0, stdout: 'hi\n' });
    const e = await sessionOf(['echo', 'hi']);
    expect(e.payload).toMatchObject({ subresource: 'exec', pod: POD, namespace: 'default', tty: false, exitCode: 0, ended: 'upstream-gone', outputMasked: true, protocol: 'v5.channel.k8s.io' });
    expect(e.payload.bytesToAgent).toBeGreaterThan(0);
    const completed = await until(() => s.events.find((x): x is RequestCompleted => x.type === 'RequestCompleted' && x.requestId === e.requestId), 'RequestCompleted');
    expect(completed.payload).toMatchObject({ outcome: 'forwarded', status: 101 });
    const cast = await castOf(e);
    expect(cast.header).toMatchObject({ version: 2, width: 80, height: 24, chaperone: { pod: POD, namespace: 'default', agent: 'exec-bot', requestId: e.requestId, sessionId: e.sessionId, command: ['echo', 'hi'] } });
    expect(cast.events).toEqual([[expect.any(Number), 'o', 'hi\n']]);
  });

  it('cat /etc/secret/token: the secret is masked in kubectl’s output and in the stored recording', async () => {
    const r = await s.kubectl(agent, ['exec', POD, '--', 'cat', '/etc/secret/token']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^token=.+\npassword=.+\n$/);
    expectNoSecret(r.stdout);
    const e = await sessionOf(['cat', '/etc/secret/token']);
    const masking = await until(() => s.events.find((x): x is MaskingApplied => x.type === 'MaskingApplied' && x.requestId === e.requestId), 'MaskingApplied');
    expect(masking.payload).toMatchObject({ mode: 'lines' });
    expect(masking.payload.count).toBeGreaterThanOrEqual(2);
    const cast = await castOf(e);
    expect(cast.text).toContain('token=');
    expectNoSecret(cast.text);
  });

  it('exit codes and stderr come through; env output is masked too', async () => {
    const r = await s.kubectl(agent, ['exec', POD, '--', 'sh', '-c', 'env; cat /nope; exit 3']);
    expect(r.code).toBe(3);
    expect(r.stderr).toContain("cat: can't open '/nope'");
    expect(r.stderr).toContain('command terminated with exit code 3');
    expect(r.stdout).toContain('AWS_SECRET_ACCESS_KEY=');
    expectNoSecret(r.stdout);
    const e = await sessionOf(['sh', '-c', 'env; cat /nope; exit 3']);
    expect(e.payload.exitCode).toBe(3);
    expectNoSecret((await castOf(e)).text);
  });

  it('a secret typed into the command itself: masked in the session event, the intercept record and the recording', async () => {
    const argv = ['echo', `--password=${COMMAND_PASSWORD}`, 'Bearer', COMMAND_TOKEN];
    const r = await s.kubectl(agent, ['exec', POD, '--', ...argv]);
    expect(r.code).toBe(0);
    expectNoCommandSecret(r.stdout);
    // The cluster got the command as typed: only the evidence is masked.
    expect(s.apiserver.requests.some((q) => q.url.includes(encodeURIComponent(COMMAND_TOKEN)))).toBe(true);
    const e = await sessionOf(['echo', `--password=${MASK}`, 'Bearer', MASK]);
    const intercepted = await until(() => s.events.find((x) => x.type === 'RequestIntercepted' && x.requestId === e.requestId), 'RequestIntercepted');
    const query = (intercepted.payload as { query: string }).query;
    expect(new URLSearchParams(query).getAll('command')).toEqual(['echo', `--password=${MASK}`, 'Bearer', MASK]);
    expectNoCommandSecret(JSON.stringify(intercepted));
    expectNoCommandSecret((await castOf(e)).text);
  });

  it('a terminal session under a masked rule is refused before it reaches the cluster', async () => {
    s.apiserver.clearRequests();
    const { code, out } = await terminal(agent, [], 'sh');
    expect(code).not.toBe(0);
    expect(out).toContain('exec sessions with a terminal (-t) cannot be masked; the policy must allow them with unmasked: true');
    expect(s.apiserver.requests.filter((q) => q.url.includes(`/pods/${POD}/exec`))).toHaveLength(0);
  });
});

/** kubectl exec -it in a real pseudo-terminal (script(1)) of 40x100; types each key string at the n-th prompt. */
async function terminal(kubeconfig: string, keys: string[], ...command: string[]): Promise<{ code: number; out: string }> {
  const cmd = `stty rows 40 cols 100; exec kubectl --kubeconfig ${kubeconfig} exec -it ${POD} -- ${command.join(' ')}`;
  const child: ChildProcessWithoutNullStreams = spawn('script', ['-qefc', cmd, '/dev/null'], { env: { PATH: process.env['PATH'] ?? '', HOME: s.dir, SHELL: '/bin/sh' } });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<number>((resolve) => child.on('close', (c) => resolve(c ?? -1)));
  const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
  for (const [i, k] of keys.entries()) {
    await until(() => (out.split('/ # ').length - 1 > i ? true : undefined), `prompt ${i + 1} in ${JSON.stringify(out)}`);
    child.stdin.write(k);
  }
  const code = await exited;
  clearTimeout(timer);
  return { code, out };
}

describe('kubectl exec -it: a terminal session under an unmasked rule', () => {
  it('runs, keeps its exit code, and is recorded with the typed command lines, masked', async () => {
    const { code, out } = await terminal(operator, ['echo tty-hi\r', 'cat /etc/secret/tokex\x7fn\r', 'exit 4\r'], 'sh');
    expect(code).toBe(4);
    expect(out).toContain('tty-hi\r\n');
    // Unmasked for the agent, as the rule says...
    expect(out).toContain(FAKE_EXEC_PASSWORD);
    const e = await sessionOf(['sh'], { tty: true });
    expect(e.payload).toMatchObject({ tty: true, stdin: true, exitCode: 4, outputMasked: false, typedCommands: { bestEffort: true, lines: ['echo tty-hi', 'cat /etc/secret/token', 'exit 4'], truncated: false } });
    const cast = await castOf(e);
    // ...but never in the evidence.
    expectNoSecret(cast.text);
    expect(cast.header).toMatchObject({ width: 100, height: 40 });
    expect(cast.events.some(([, c, d]) => c === 'r' && d === '100x40')).toBe(true);
    expect(cast.events.some(([, c, d]) => c === 'i' && d.includes('echo tty-hi'))).toBe(true);
    expect(cast.events.some(([, c, d]) => c === 'o' && d.includes('tty-hi'))).toBe(true);
    expect(e.payload.masked.count).toBeGreaterThanOrEqual(2);
  });
});

describe('upgrades the relay cannot read', () => {
  it('a SPDY exec is refused with a Status, never switched', async () => {
    const token = await s.agentToken('operator-bot', ['operators']);
    const { hostname: host, port } = new URL(s.ingressUrl);
    const answer = await new Promise<string>((resolve, reject) => {
      const socket = tls.connect({ host, port: Number(port), ca: s.ingressCaPem(), servername: 'localhost' }, () => {
        socket.write(
          `POST /api/v1/namespaces/default/pods/${POD}/exec?command=ls&stdout=true HTTP/1.1\r\nHost: ${host}\r\nAuthorization: Bearer ${token}\r\n` +
            'Connection: Upgrade\r\nUpgrade: SPDY/3.1\r\nX-Stream-Protocol-Version: v4.channel.k8s.io\r\nContent-Length: 0\r\n\r\n',
        );
      });
      let text = '';
      socket.on('data', (d: Buffer) => (text += d.toString('latin1')));
      socket.on('close', () => resolve(text));
      socket.on('error', reject);
    });
    expect(answer).not.toContain('101 Switching Protocols');
    expect(answer).toMatch(/^HTTP\/1\.1 4\d\d /);
    expect(answer).toContain('"kind":"Status"');
  });
});

describe('kubectl port-forward', () => {
  it('forwards through the gateway and is recorded as metadata', async () => {
    const child = spawn('kubectl', ['--kubeconfig', operator, 'port-forward', `pod/${POD}`, ':8080'], { env: { PATH: process.env['PATH'] ?? '', HOME: s.dir } });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    try {
      const port = await until(() => /Forwarding from 127\.0\.0\.1:(\d+)/.exec(out)?.[1], `port-forward to start: ${out}`);
      const body = await new Promise<string>((resolve, reject) => {
        http.get({ host: '127.0.0.1', port: Number(port), path: '/through-chaperone' }, (res) => {
          let b = '';
          res.on('data', (d: Buffer) => (b += d.toString()));
          res.on('end', () => resolve(b));
        }).on('error', reject);
      });
      expect(body).toBe(`echo from pod ${POD} port 8080: GET /through-chaperone\n`);
    } finally {
      child.kill('SIGINT');
    }
    const e = await until(() => s.events.find((x): x is PortForwardRecorded => x.type === 'PortForwardRecorded'), 'PortForwardRecorded');
    expect(e.payload).toMatchObject({ pod: POD, namespace: 'default', protocol: 'SPDY/3.1+portforward.k8s.io', ports: [8080] });
    // kubectl's SPDY goodbye makes the cluster close the tunnel first.
    expect(['client-gone', 'upstream-gone']).toContain(e.payload.ended);
    expect(e.payload.durationMs).toBeGreaterThan(0);
    expect(e.payload.bytesFromAgent).toBeGreaterThan(0);
    expect(e.payload.bytesToAgent).toBeGreaterThan(0);
  });
});

/** The approval opened for an agent's request, once the approval service has stored it. */
async function approvalRequestedBy(agentName: string): Promise<string> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const found = (await s.evidence()).find((r) => r.type === 'ApprovalRequested' && (r.data as { requester: { agent: string } }).requester.agent === agentName);
    if (found) return String((found.data as { approvalId: string }).approvalId);
    if (Date.now() > deadline) throw new Error(`no approval requested by ${agentName}`);
    await new Promise((r) => setTimeout(r, 150));
  }
}

describe('an approve rule holds an exec', () => {
  it('runs once approved, recorded like any other', async () => {
    const careful = s.kubeconfig(await s.agentToken('careful-bot'));
    const approver = await s.issuer.sign({ sub: 'alice', groups: ['approvers'] });
    const running = s.kubectl(careful, ['exec', POD, '--request-timeout=90s', '--', 'echo', 'approved'], 100_000);
    const id = await approvalRequestedBy('careful-bot');
    // Held: nothing of it has reached the cluster.
    expect(s.apiserver.requests.some((q) => q.url.includes('command=approved'))).toBe(false);
    const health = s.services.get('approval')?.health ?? '';
    const res = await fetch(new URL(`/approvals/${id}/approve`, new URL(health).origin), {
      method: 'POST',
      headers: { authorization: `Bearer ${approver}`, 'content-type': 'application/json' },
      body: JSON.stringify({ reason: 'looks fine' }),
    });
    expect(res.status).toBe(200);
    const r = await running;
    expect(r).toMatchObject({ code: 0, stdout: 'approved\n' });
    const e = await sessionOf(['echo', 'approved']);
    expect(e.payload.exitCode).toBe(0);
  });
});

/** Every blob the ingress stored in this run, read through the bucket's metadata records (each names its digest). */
async function everyStoredBlob(): Promise<{ digest: string; bytes: Buffer }[]> {
  const jsm = await s.nc.jetstreamManager();
  const stream = `OBJ_${s.blobBucket}`;
  const info = await jsm.streams.info(stream);
  const metaPrefix = `$O.${s.blobBucket}.M.`;
  const out: { digest: string; bytes: Buffer }[] = [];
  for (let seq = info.state.first_seq; seq <= info.state.last_seq; seq++) {
    const m = await jsm.streams.getMessage(stream, { seq }).catch(() => undefined);
    if (!m || !m.subject.startsWith(metaPrefix)) continue;
    const meta = JSON.parse(Buffer.from(m.data).toString('utf8')) as { name: string; deleted?: boolean };
    if (meta.deleted) continue;
    const bytes = await s.blob(meta.name);
    if (bytes) out.push({ digest: meta.name, bytes });
  }
  return out;
}

// Runs last: every session above (masked output, env dumps, a terminal, a typed secret) has left its evidence.
describe('after every session: nothing stored keeps a value the masking hides', () => {
  it('no stored event and no stored blob contains a secret the pod printed or the agent typed', async () => {
    const events = await s.evidence();
    expect(events.some((e) => e.type === 'ExecSessionRecorded')).toBe(true);
    const leaks = (text: string): string[] =>
      [FAKE_SERVICE_ACCOUNT_JWT, FAKE_EXEC_PASSWORD, FAKE_AWS_SECRET_ACCESS_KEY, COMMAND_PASSWORD, COMMAND_TOKEN, encodeURIComponent(COMMAND_TOKEN)].filter((v) => text.includes(v)).map((v) => `${v.slice(0, 4)}…`);
    const eventLeaks = events.flatMap((e) => leaks(JSON.stringify(e)).map((l) => `${e.type} ${e.eventId}: ${l}`));
    expect(eventLeaks).toEqual([]);
    const blobs = await everyStoredBlob();
    const recordings = events.filter((e) => e.type === 'ExecSessionRecorded').map((e) => (e.data as ExecSessionRecorded).payload.recording.digest);
    for (const digest of recordings) expect(blobs.map((b) => b.digest)).toContain(digest);
    const blobLeaks = blobs.flatMap((b) => leaks(b.bytes.toString('utf8')).map((l) => `${b.digest}: ${l}`));
    expect(blobLeaks).toEqual([]);
  });
});
