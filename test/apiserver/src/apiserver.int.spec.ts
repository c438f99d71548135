import { writeFileSync } from 'node:fs';
import * as https from 'node:https';
import { join } from 'node:path';
import { FAKE_TOKEN, TestApiServer } from './index';
import { KubectlHarness, startKubectlHarness } from './testing/kubectl-harness';

/**
 * Drives the real kubectl (v1.32) against the test double over HTTPS with a bearer token.
 */
const TOKEN = 'test-bearer-token-123';

let harness: KubectlHarness;
let server: TestApiServer;
let dir: string;
let ca: string;

const kubectl = (...args: string[]) => harness.kubectl(...args);
const kubectlUntil = (...args: Parameters<KubectlHarness['kubectlUntil']>) => harness.kubectlUntil(...args);

function rawRequest(path: string, headers: Record<string, string> = {}): Promise<{ status: number; headers: Record<string, unknown>; body: string }> {
  const url = new URL(path, server.url);
  return new Promise((resolve, reject) => {
    const req = https.request(url, { ca, headers }, (res) => {
      let body = '';
      res.on('data', (d: Buffer) => (body += d.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

beforeAll(async () => {
  harness = await startKubectlHarness(TOKEN, { logFollowIntervalMs: 100 });
  ({ server, dir, ca } = harness);
}, 30_000);

afterAll(async () => {
  await harness?.close();
});

describe('test API server with the real kubectl', () => {
  it('kubectl version reports the server version', async () => {
    const r = await kubectl('version');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/Server Version: v1\.32\.\d+/);
  });

  it('kubectl api-resources lists the served resources (aggregated discovery)', async () => {
    const r = await kubectl('api-resources');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^pods\s+po\s+v1\s+true\s+Pod$/m);
    expect(r.stdout).toMatch(/^deployments\s+deploy\s+apps\/v1\s+true\s+Deployment$/m);
    expect(r.stdout).toMatch(/^namespaces\s+ns\s+v1\s+false\s+Namespace$/m);
    const discovery = server.requests.find((q) => q.url.startsWith('/apis') && String(q.headers['accept']).includes('as=APIGroupDiscoveryList'));
    expect(discovery).toBeDefined();
  });

  it('kubectl get pods prints the server-side Table', async () => {
    const r = await kubectl('get', 'pods');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^NAME\s+READY\s+STATUS\s+RESTARTS\s+AGE$/m);
    expect(r.stdout).toMatch(/^web-7d4b9c8f5-abcde\s+1\/1\s+Running\s+0\s+2d$/m);
  });

  it('kubectl get pods -o json returns full objects', async () => {
    const r = await kubectl('get', 'pods', '-o', 'json');
    expect(r.code).toBe(0);
    const list = JSON.parse(r.stdout) as { kind: string; items: { kind: string; metadata: { name: string; resourceVersion: string } }[] };
    expect(list.kind).toBe('List');
    expect(list.items.map((i) => i.metadata.name)).toEqual(expect.arrayContaining(['web-7d4b9c8f5-abcde', 'worker-0']));
    expect(list.items[0]?.kind).toBe('Pod');
    expect(Number(list.items[0]?.metadata.resourceVersion)).toBeGreaterThan(0);
  });

  it('kubectl get secret -o yaml and get secrets (Table)', async () => {
    const y = await kubectl('get', 'secret', 'db-credentials', '-o', 'yaml');
    expect(y.code).toBe(0);
    expect(y.stdout).toContain('kind: Secret');
    expect(y.stdout).toContain(`password: ${Buffer.from('s3cr3t-demo-password').toString('base64')}`);
    const t = await kubectl('get', 'secrets');
    expect(t.stdout).toMatch(/^NAME\s+TYPE\s+DATA\s+AGE$/m);
    expect(t.stdout).toMatch(/^db-credentials\s+Opaque\s+2\s+2d$/m);
  });

  it('kubectl create configmap (a protobuf body) then reads it back', async () => {
    const c = await kubectl('create', 'configmap', 'created-cm', '--from-literal=greeting=hello');
    expect(c.stderr).toBe('');
    expect(c.stdout.trim()).toBe('configmap/created-cm created');
    const again = await kubectl('create', 'configmap', 'created-cm', '--from-literal=greeting=hello');
    expect(again.code).not.toBe(0);
    expect(again.stderr).toContain('configmaps "created-cm" already exists');
    const g = await kubectl('get', 'cm', 'created-cm', '-o', 'jsonpath={.data.greeting}');
    expect(g.stdout).toBe('hello');
  });

  it('kubectl create deployment, scale it, read spec.replicas', async () => {
    const c = await kubectl('create', 'deployment', 'api', '--image=nginx:1.27', '--port=80');
    expect(c.stdout.trim()).toBe('deployment.apps/api created');
    const s = await kubectl('scale', 'deployment', 'api', '--replicas=3');
    expect(s.stdout.trim()).toBe('deployment.apps/api scaled');
    const g = await kubectl('get', 'deploy', 'api', '-o', 'jsonpath={.spec.replicas} {.status.readyReplicas} {.spec.template.spec.containers[0].image}');
    expect(g.stdout).toBe('3 3 nginx:1.27');
    const t = await kubectl('get', 'deploy', 'api');
    expect(t.stdout).toMatch(/^NAME\s+READY\s+UP-TO-DATE\s+AVAILABLE\s+AGE$/m);
    expect(t.stdout).toMatch(/^api\s+3\/3\s+3\s+3\s+\d+s$/m);
  });

  it('kubectl apply -f creates, then configures (strategic merge patch)', async () => {
    const file = join(dir, 'deploy.yaml');
    const manifest = (image: string, replicas: number) => `apiVersion: apps/v1
kind: Deployment
metadata: {name: applied, labels: {app: applied}}
spec:
  replicas: ${replicas}
  selector: {matchLabels: {app: applied}}
  template:
    metadata: {labels: {app: applied}}
    spec:
      containers:
      - {name: c, image: "${image}", ports: [{containerPort: 8080}]}
`;
    writeFileSync(file, manifest('nginx:1.26', 1));
    const a1 = await kubectl('apply', '-f', file);
    expect(a1.stderr).toBe('');
    expect(a1.stdout.trim()).toBe('deployment.apps/applied created');
    writeFileSync(file, manifest('nginx:1.27', 2));
    const a2 = await kubectl('apply', '-f', file);
    expect(a2.stdout.trim()).toBe('deployment.apps/applied configured');
    const g = await kubectl('get', 'deploy', 'applied', '-o', 'jsonpath={.spec.replicas} {.spec.template.spec.containers[0].image} {.spec.template.spec.containers[0].ports[0].containerPort} {.metadata.generation}');
    expect(g.stdout).toBe('2 nginx:1.27 8080 2');
    // create -f with default (strict) validation consults /openapi/v3 and sends fieldValidation=Strict.
    expect(server.requests.some((q) => q.url.startsWith('/openapi/v3/apis/apps/v1'))).toBe(true);
  });

  it('kubectl delete pod (a pod no controller owns), then get says NotFound', async () => {
    expect((await kubectl('run', 'bare', '--image=busybox:1.36', '--restart=Never')).code).toBe(0);
    const d = await kubectl('delete', 'pod', 'bare');
    expect(d.stdout.trim()).toBe('pod "bare" deleted');
    const g = await kubectl('get', 'pod', 'bare');
    expect(g.code).toBe(1);
    expect(g.stderr).toContain('Error from server (NotFound): pods "bare" not found');
  });

  it('kubectl logs prints the pod log; logs -f streams', async () => {
    const l = await kubectl('logs', 'web-7d4b9c8f5-abcde');
    expect(l.code).toBe(0);
    expect(l.stdout).toContain(`token=${FAKE_TOKEN}`);
    const followed = await kubectlUntil(['logs', '-f', 'web-7d4b9c8f5-abcde'], (out) => out.includes('heartbeat 2'));
    expect(followed).toContain('listening on :8080');
    expect(followed).toContain('heartbeat 1 from web');
  });

  it('kubectl get pods -w shows a pod created while watching', async () => {
    const out = await kubectlUntil(
      ['get', 'pods', '-w'],
      (o) => /^watched-pod\s/m.test(o),
      () => kubectl('run', 'watched-pod', '--image=busybox:1.36'),
    );
    expect(out).toMatch(/^NAME\s+READY\s+STATUS\s+RESTARTS\s+AGE$/m);
    expect(out).toMatch(/^web-7d4b9c8f5-abcde\s+1\/1\s+Running/m);
    const watch = server.requests.find((q) => q.url.includes('watch=true') && q.url.includes('/pods'));
    expect(watch?.headers['accept']).toContain('as=Table');
  });
});

describe('test API server over raw HTTP', () => {
  it('rejects a request without the bearer token with a 401 Status', async () => {
    const r = await rawRequest('/api/v1/namespaces/default/pods');
    expect(r.status).toBe(401);
    expect(JSON.parse(r.body)).toEqual({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: 'Unauthorized', reason: 'Unauthorized', code: 401 });
  });

  it('records every request with its headers and body', async () => {
    server.clearRequests();
    await kubectl('get', 'ns');
    expect(server.requests.length).toBeGreaterThan(0);
    const list = server.requests.find((q) => q.url.startsWith('/api/v1/namespaces'));
    expect(list?.method).toBe('GET');
    expect(list?.headers['authorization']).toBe(`Bearer ${TOKEN}`);
    expect(String(list?.headers['user-agent'])).toMatch(/^kubectl\//);
    expect(typeof list?.time).toBe('number');
  });

  it('answers errors with metav1 Status and aggregated discovery with its media type', async () => {
    const auth = { Authorization: `Bearer ${TOKEN}` };
    const nf = await rawRequest('/api/v1/namespaces/default/pods/missing', auth);
    expect(nf.status).toBe(404);
    expect(JSON.parse(nf.body)).toMatchObject({ kind: 'Status', status: 'Failure', reason: 'NotFound', message: 'pods "missing" not found', details: { name: 'missing', kind: 'pods' }, code: 404 });
    const agg = await rawRequest('/apis', { ...auth, Accept: 'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json' });
    expect(agg.headers['content-type']).toBe('application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList');
    expect(JSON.parse(agg.body)).toMatchObject({ kind: 'APIGroupDiscoveryList', apiVersion: 'apidiscovery.k8s.io/v2' });
    const legacy = await rawRequest('/apis', auth);
    expect(JSON.parse(legacy.body)).toMatchObject({ kind: 'APIGroupList' });
  });

  it('watch resumes from a resourceVersion and honours timeoutSeconds', async () => {
    const auth = { Authorization: `Bearer ${TOKEN}` };
    const list = JSON.parse((await rawRequest('/api/v1/namespaces/default/configmaps', auth)).body) as { metadata: { resourceVersion: string } };
    await kubectl('create', 'configmap', 'after-list', '--from-literal=k=v');
    const started = Date.now();
    const w = await rawRequest(`/api/v1/namespaces/default/configmaps?watch=1&resourceVersion=${list.metadata.resourceVersion}&timeoutSeconds=1`, auth);
    expect(Date.now() - started).toBeGreaterThanOrEqual(900);
    const events = w.body.trim().split('\n').map((l) => JSON.parse(l) as { type: string; object: { metadata: { name: string } } });
    expect(events).toEqual([expect.objectContaining({ type: 'ADDED', object: expect.objectContaining({ metadata: expect.objectContaining({ name: 'after-list' }) }) })]);
  });
});
