import { spawn } from 'node:child_process';
import { createHash, randomUUID } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { JetStreamBlobStore } from '@chaperone/blob-store';
import { rewriteJetStreamBlob, startLocalS3, uniqueS3Bucket, type LocalS3 } from '@chaperone/blob-store/testing';
import type { ChaperoneEvent, MaskingApplied, RecordingDeferred, RequestCompleted, RequestIntercepted } from '@chaperone/contracts';
import { FAKE_TOKEN } from '@chaperone/test-apiserver';
import { policyWith } from './support/policies';
import { E2EStack } from './support/e2e-stack';
import { eventually } from './support/eventually';

/**
 * Recording: what an agent sent and what it saw, kept as masked evidence in the blob store, read
 * back through `chaperone replay --bodies` and the reports API, checked by `chaperone verify`,
 * deleted by `chaperone recordings prune` when its rule's retention ends.
 */
const POLICY = policyWith(`
  - name: configmaps-recorded
    effect: allow
    subjects: { groups: ["agents"] }
    verbs: ["get", "list", "watch", "create", "patch", "update"]
    apiGroups: [""]
    resources: ["configmaps"]
    namespaces: ["default"]
    record: request-and-response
    recording: { retentionDays: 30, onStoreFailure: defer }
  - name: reads-recorded
    effect: allow
    subjects: { groups: ["agents"] }
    verbs: ["get", "list", "watch"]
    apiGroups: [""]
    resources: ["pods", "pods/log", "secrets"]
    namespaces: ["default"]
    record: request-and-response
    recording: { retentionDays: 7, onStoreFailure: defer }
  - name: pods-create
    effect: allow
    subjects: { groups: ["agents"] }
    verbs: ["create"]
    apiGroups: [""]
    resources: ["pods"]
    namespaces: ["default"]
  - name: services-refused-unrecorded
    effect: allow
    subjects: { groups: ["agents"] }
    verbs: ["get", "list"]
    apiGroups: [""]
    resources: ["services"]
    namespaces: ["default"]
    record: request-and-response
    recording: { retentionDays: 7, onStoreFailure: refuse }
`);

const ROOT = join(__dirname, '..', '..');
const SECRET_PASSWORD = 's3cr3t-demo-password'; // test/apiserver/src/seed.ts
const MASKED_B64 = Buffer.from('***MASKED***').toString('base64');
const s = new E2EStack();
const sessionId = `rec-${randomUUID().slice(0, 8)}`;
let kubeconfig = '';
let auditor = '';
let reportsUrl = '';
let blobs: JetStreamBlobStore;

const sha256 = (b: Buffer | string) => `sha256:${createHash('sha256').update(b).digest('hex')}`;


/** The request ids of this session's intercepted requests that match. */
function requestIds(pred: (e: RequestIntercepted) => boolean): string[] {
  return s.events.filter((e): e is RequestIntercepted => e.type === 'RequestIntercepted' && e.sessionId === sessionId && pred(e)).map((e) => e.requestId);
}

function completed(requestId: string): Promise<RequestCompleted> {
  return s.waitForEvent((e: ChaperoneEvent): e is RequestCompleted => e.type === 'RequestCompleted' && e.requestId === requestId, 15_000);
}

/** The stored blob's bytes, once the ingress has stored them (off the request's critical path). */
async function storedBytes(digest: string | undefined): Promise<Buffer> {
  if (!digest) throw new Error('no stored blob named');
  const bytes = await eventually(() => blobs.get(digest), (b) => b !== undefined, `blob ${digest} stored`);
  return Buffer.from(bytes as Uint8Array);
}

function chaperone(args: string[], env: Record<string, string> = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [join(ROOT, 'tools', 'cli', 'bin', 'chaperone.js'), ...args], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: {
        PATH: process.env['PATH'] ?? '',
        CHAPERONE_TOKEN: auditor,
        CHAPERONE_REPORTS_SERVER: reportsUrl,
        CHAPERONE_NATS_URL: s.natsUrl,
        CHAPERONE_BUS_PREFIX: s.subjects.prefix,
        CHAPERONE_CHECKPOINT_PUBLIC_KEY_FILE: join(s.dir, 'checkpoint-public.pem'),
        ...env,
      },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}

/** Start kubectl that follows a stream, wait until `ready(output)`, then end it as a user would (the client closes). */
async function followThenQuit(args: string[], ready: (out: string) => boolean, what: string, during?: () => Promise<void>): Promise<string> {
  const child = spawn('kubectl', ['--kubeconfig', kubeconfig, ...args, '--request-timeout=0'], { env: { PATH: process.env['PATH'] ?? '', HOME: s.dir } });
  let out = '';
  child.stdout.on('data', (c: Buffer) => (out += c.toString()));
  try {
    if (during) {
      await eventually(() => out, (o) => o.length > 0, `${what}: first output`, 15_000);
      await during();
    }
    await eventually(() => out, ready, what, 15_000);
    expect(child.exitCode).toBeNull();
  } finally {
    child.kill();
  }
  return out;
}

/** Until every event seen on the bus is in the evidence store (the audit service stores them after). */
async function stored(): Promise<void> {
  await eventually(
    async () => new Set((await s.evidence()).map((e) => e.eventId)),
    (ids) => s.events.every((e) => ids.has(e.eventId)),
    'every bus event in the evidence store',
  );
}

let s3: LocalS3 | undefined;

beforeAll(async () => {
  await s.start(POLICY, { checkpoints: true });
  reportsUrl = (s.services.get('reports')?.health ?? '').replace(/\/healthz$/, '');
  auditor = await s.issuer.sign({ sub: 'auditor-1', groups: ['compliance'] });
  kubeconfig = s.kubeconfig(await s.issuer.sign({ sub: 'agent-recorder', agent: 'recorder', groups: ['agents'], sid: sessionId }));
  blobs = await JetStreamBlobStore.create(s.nc, { bucket: `${s.subjects.prefix}-blobs`, ensureBucket: false });
}, 120_000);

afterAll(async () => {
  await s3?.stop().catch(() => undefined);
  await s.stop();
});

describe('recorded bodies, end to end with the real kubectl', () => {
  it('kubectl apply -f: the stored request body is exactly what reached the cluster, the response what kubectl got', async () => {
    const manifest = join(s.dir, 'recorded-configmap.yaml');
    writeFileSync(manifest, 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: recorded-config\n  namespace: default\ndata:\n  LOG_LEVEL: debug\n  FEATURE: recording\n');
    const applied = await s.kubectl(kubeconfig, ['apply', '-f', manifest]);
    expect(applied.stderr).toBe('');
    expect(applied.stdout).toContain('configmap/recorded-config created');

    const sent = s.apiserver.requests.find((q) => q.method === 'POST' && q.url.startsWith('/api/v1/namespaces/default/configmaps'));
    expect(sent).toBeDefined();
    const requestId = String(sent?.headers['impersonate-extra-chaperone.dev%2frequest-id']);
    const done = await completed(requestId);
    expect(done.payload.requestBody).toMatchObject({ digest: sha256(sent?.body ?? ''), size: Buffer.byteLength(sent?.body ?? ''), stored: { truncated: false } });
    const body = await storedBytes(done.payload.requestBody?.stored?.digest);
    expect(body.equals(Buffer.from(sent?.body ?? ''))).toBe(true);
    expect(JSON.parse(body.toString())).toMatchObject({ kind: 'ConfigMap', metadata: { name: 'recorded-config' }, data: { LOG_LEVEL: 'debug', FEATURE: 'recording' } });
    const response = JSON.parse((await storedBytes(done.payload.responseBody?.stored?.digest)).toString()) as { metadata: { uid?: string } };
    expect(response.metadata.uid).toEqual(expect.any(String));
  });

  it('kubectl get secret: the stored response holds only masked values, as the agent received them', async () => {
    const r = await s.kubectl(kubeconfig, ['get', 'secret', 'db-credentials', '-o', 'yaml']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(MASKED_B64);
    const [requestId] = requestIds((e) => e.payload.request.isResourceRequest && e.payload.request.resource === 'secrets' && e.payload.request.name === 'db-credentials');
    const done = await completed(requestId as string);
    const body = (await storedBytes(done.payload.responseBody?.stored?.digest)).toString();
    expect(body).toContain(MASKED_B64);
    for (const raw of [SECRET_PASSWORD, Buffer.from(SECRET_PASSWORD).toString('base64'), Buffer.from('admin').toString('base64')]) expect(body).not.toContain(raw);
    // The evidence stores what the agent got: the digest of the whole stored body is the digest of kubectl's answer.
    expect(done.payload.responseBody?.digest).toBe(done.payload.responseBody?.stored?.digest);
  });

  it('kubectl get pods --watch, ended by the client: a complete record with the stream as timed chunks', async () => {
    await followThenQuit(['get', 'pods', '--watch'], (o) => o.includes('late-arrival'), 'the watch shows the new pod', async () => {
      const run = await s.kubectl(kubeconfig, ['run', 'late-arrival', '--image=busybox', '--restart=Never']);
      expect(run.stderr).toBe('');
    });
    const [requestId] = requestIds((e) => e.payload.request.isResourceRequest && e.payload.request.resource === 'pods' && e.payload.request.verb === 'watch');
    const done = await completed(requestId as string);
    expect(done.payload.responseBody?.stored).toMatchObject({ timed: true, truncated: false });
    const lines = (await storedBytes(done.payload.responseBody?.stored?.digest)).toString().split('\n').filter(Boolean).map((l) => JSON.parse(l) as [number, string]);
    expect(lines.length).toBeGreaterThan(0);
    expect(lines.map(([, text]) => text).join('')).toContain('late-arrival');
    const offsets = lines.map(([ms]) => ms);
    expect([...offsets].sort((a, b) => a - b)).toEqual(offsets);
  });

  it('kubectl logs -f, ended by the client: a complete record, its masking recorded, the stored stream masked line by line', async () => {
    await followThenQuit(['logs', '-f', 'worker-0'], (o) => (o.match(/refreshed credentials/g) ?? []).length >= 2, 'two token lines streamed');
    const [requestId] = requestIds((e) => e.payload.request.isResourceRequest && e.payload.request.subresource === 'log' && /follow=true/.test(e.payload.query));
    const done = await completed(requestId as string);
    expect(done.payload.responseBody?.stored).toMatchObject({ timed: true });
    const masking = await s.waitForEvent((e: ChaperoneEvent): e is MaskingApplied => e.type === 'MaskingApplied' && e.requestId === requestId, 10_000);
    expect(masking.payload.count).toBeGreaterThanOrEqual(2);
    const text = (await storedBytes(done.payload.responseBody?.stored?.digest)).toString();
    const lines = text.split('\n').filter(Boolean).map((l) => JSON.parse(l) as [number, string]);
    expect(lines.map(([, t]) => t).join('')).toMatch(/refreshed credentials token=\*\*\*MASKED\*\*\*/);
    expect(text).not.toContain(FAKE_TOKEN);
    // Lines arrived over time, and the record says when.
    expect((lines.at(-1)?.[0] ?? 0) - (lines[0]?.[0] ?? 0)).toBeGreaterThan(500);
    expect(s.services.get('ingress')?.output.join('\n')).not.toMatch(/masking failed/i);
  });

  it('chaperone verify: every chain intact, every recorded body present and unaltered', async () => {
    await stored();
    const v = await chaperone(['verify']);
    expect(v.stderr).toBe('');
    expect(v.stdout).toMatch(/^OK: every chain is intact/);
    expect(v.stdout).toMatch(/OK: every recorded body is in the blob store, unaltered: \d+ recorded bodies in \d+ blobs/);
    expect(v.code).toBe(0);
  });

  it('sessions and replay --bodies: the session found by agent, each request with what it sent and saw', async () => {
    const listed = await eventually(() => chaperone(['sessions', '--agent', 'recorder']), (r) => r.stdout.includes(sessionId), 'the session listed');
    expect(listed.stdout).toMatch(new RegExp(`^${sessionId}\\s+recorder\\s+-\\s+\\S+Z\\s+\\S+Z\\s+\\d+\\s+2$`, 'm'));
    const replay = await eventually(() => chaperone(['replay', sessionId, '--bodies']), (r) => r.stdout.includes('refreshed credentials'), 'the replay with the log stream');
    expect(replay.code).toBe(0);
    expect(replay.stdout).toContain('$ kubectl create -n default -f - # configmaps\n#   → 201 forwarded; allowed by rule "configmaps-recorded"');
    expect(replay.stdout).toContain('#   (the request body is stored (chaperone replay --bodies shows it))');
    expect(replay.stdout).toMatch(/request body \(as sent\): \d+ bytes:\n {4}\{\n {6}"apiVersion": "v1",/);
    expect(replay.stdout).toMatch(/response body \(as the agent received it, masked\): a stream, \d+ chunks/);
    expect(replay.stdout).toMatch(/ {4}\+\d+\.\d{3}s refreshed credentials token=\*\*\*MASKED\*\*\*/);
    expect(replay.stdout).not.toContain(FAKE_TOKEN);
    expect(replay.stdout).not.toContain(Buffer.from(SECRET_PASSWORD).toString('base64'));
  });

  describe('a blob store that is down: each rule\'s choice', () => {
    let ingressS3 = '';
    let kubeconfigS3 = '';
    let deferredRequestId = '';

    beforeAll(async () => {
      s3 = await startLocalS3();
      const bucket = uniqueS3Bucket('e2e-recordings');
      const admin = new S3Client({ endpoint: s3.endpoint, region: s3.region, credentials: s3.credentials, forcePathStyle: true });
      await admin.send(new CreateBucketCommand({ Bucket: bucket }));
      admin.destroy();
      const urls = await s.startExtra('ingress-s3', 'ingress', {
        CHAPERONE_BLOB_STORE: 's3',
        CHAPERONE_S3_ENDPOINT: s3.endpoint,
        CHAPERONE_S3_BUCKET: bucket,
        CHAPERONE_S3_REGION: s3.region,
        CHAPERONE_S3_FORCE_PATH_STYLE: 'true',
        AWS_ACCESS_KEY_ID: s3.credentials.accessKeyId,
        AWS_SECRET_ACCESS_KEY: s3.credentials.secretAccessKey,
      });
      ingressS3 = urls.find((u) => u.startsWith('https://')) ?? '';
      kubeconfigS3 = s.kubeconfig(await s.issuer.sign({ sub: 'agent-recorder', agent: 'recorder', groups: ['agents'], sid: sessionId }), { server: ingressS3 });
      // The outage: the S3 endpoint goes away while the ingress runs.
      await s3.stop();
      s3 = undefined;
    }, 60_000);

    it('refuse: with the blob store down, the request is answered 503 and never reaches the cluster (no other request needed to find out)', async () => {
      // The ingress learns of the outage by itself (it probes the store), within a few seconds.
      await new Promise((r) => setTimeout(r, 4000));
      const before = s.apiserver.requests.filter((q) => q.url.startsWith('/api/v1/namespaces/default/services')).length;
      const r = await s.request('/api/v1/namespaces/default/services', await s.issuer.sign({ sub: 'agent-recorder', agent: 'recorder', groups: ['agents'], sid: sessionId }), undefined, ingressS3);
      expect(r.status).toBe(503);
      expect(JSON.parse(r.body)).toMatchObject({ kind: 'Status', reason: 'ServiceUnavailable', message: expect.stringContaining('blob store is unreachable') });
      expect(s.apiserver.requests.filter((q) => q.url.startsWith('/api/v1/namespaces/default/services')).length).toBe(before);
    });

    it('defer: the request is answered, and the body that could not be stored is named by RecordingDeferred', async () => {
      // A pod not read before: its response is in no blob yet (identical bodies share one).
      const r = await s.kubectl(kubeconfigS3, ['get', 'pod', 'web-7d4b9c8f5-abcde', '-o', 'name']);
      expect(r.stderr).toBe('');
      expect(r.stdout.trim()).toBe('pod/web-7d4b9c8f5-abcde');
      deferredRequestId = requestIds((e) => e.payload.request.isResourceRequest && e.payload.request.resource === 'pods' && e.payload.request.name === 'web-7d4b9c8f5-abcde').at(-1) as string;
      const done = await completed(deferredRequestId);
      const deferred = await s.waitForEvent((e: ChaperoneEvent): e is RecordingDeferred => e.type === 'RecordingDeferred' && e.requestId === deferredRequestId && e.payload.body === 'response', 20_000);
      expect(deferred.payload).toMatchObject({ body: 'response', storedDigest: done.payload.responseBody?.stored?.digest });
    });

    it('chaperone verify names a deferred body that never arrived, and a blob altered in the store, each with its request', async () => {
      const secretRead = requestIds((e) => e.payload.request.isResourceRequest && e.payload.request.resource === 'secrets')[0] as string;
      const secretBody = (await completed(secretRead)).payload.responseBody?.stored?.digest as string;
      await rewriteJetStreamBlob(s.nc, `${s.subjects.prefix}-blobs`, secretBody, Buffer.from('{"kind":"Secret","data":{"password":"forged"}}'));
      await stored();
      const v = await chaperone(['verify']);
      expect(v.code).toBe(1);
      expect(v.stdout).toMatch(/^OK: every chain is intact/);
      const deferredBody = (await completed(deferredRequestId)).payload.responseBody?.stored?.digest;
      expect(v.stdout).toContain(`recording-missing: blob ${deferredBody} is missing: not in the blob store: its storing was deferred`);
      expect(v.stdout).toContain(`request ${deferredRequestId} responseBody`);
      expect(v.stdout).toContain(`recording-altered: blob ${secretBody} was altered`);
      expect(v.stdout).toContain(`request ${secretRead} responseBody`);
      expect(v.stdout).not.toContain('forged');
    });
  });

  it('recordings prune: the 7-day bodies go a week on, the 30-day ones stay; verify passes and the chain verifies', async () => {
    const asOf = new Date(Date.now() + 8 * 86_400_000).toISOString();
    const dry = await chaperone(['recordings', 'prune', '--now', asOf, '--dry-run']);
    expect(dry.code).toBe(0);
    expect(dry.stdout).toMatch(/^would prune as of/);
    const pruned = await chaperone(['recordings', 'prune', '--now', asOf]);
    expect(pruned.stderr).toBe('');
    expect(pruned.code).toBe(0);
    expect(pruned.stdout).toMatch(/recorded as 1 RecordingsPruned event\(s\) in stream "recordings"/);

    const secretRead = requestIds((e) => e.payload.request.isResourceRequest && e.payload.request.resource === 'secrets')[0] as string;
    const apply = String(s.apiserver.requests.find((q) => q.method === 'POST' && q.url.startsWith('/api/v1/namespaces/default/configmaps'))?.headers['impersonate-extra-chaperone.dev%2frequest-id']);
    expect(pruned.stdout).toContain(`request ${secretRead} responseBody (completed`);
    expect(pruned.stdout).not.toContain(`request ${apply} `);
    expect(await blobs.has((await completed(secretRead)).payload.responseBody?.stored?.digest as string)).toBe(false);
    expect(await blobs.has((await completed(apply)).payload.requestBody?.stored?.digest as string)).toBe(true);

    const v = await chaperone(['verify']);
    expect(v.stdout).toMatch(/^OK: every chain is intact/);
    expect(v.stdout).toMatch(/OK: every recorded body is in the blob store, unaltered: \d+ recorded bodies in \d+ blobs, \d+ pruned by retention/);
    expect(v.code).toBe(0);

    // The reports API: a pruned body says so; a kept one is still served.
    const headers = { authorization: `Bearer ${auditor}` };
    const gone = await eventually(
      () => fetch(`${reportsUrl}/sessions/${sessionId}/requests/${secretRead}/body/response`, { headers }),
      (r) => r.status === 404,
      'the pruned body answered 404',
    );
    expect(await gone.text()).toContain('deleted by retention');
    const kept = await fetch(`${reportsUrl}/sessions/${sessionId}/requests/${apply}/body/request`, { headers });
    expect(kept.status).toBe(200);
    expect(JSON.parse(await kept.text())).toMatchObject({ kind: 'ConfigMap', metadata: { name: 'recorded-config' } });
  });
});
