import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { E2EStack } from './support/e2e-stack';

/**
 * The demo cluster as an agent sees it through Chaperone, under the example policy `npm start` uses:
 * events, replicasets, `kubectl explain` (OpenAPI v3, a non-resource URL) and times that agree with AGE.
 */
const POLICY = readFileSync(join(__dirname, '..', '..', 'deploy', 'policy.example.yaml'), 'utf8');
const stackUnderTest = new E2EStack();
let kubeconfig = '';

const kubectl = async (...args: string[]) => {
  const r = await stackUnderTest.kubectl(kubeconfig, args, 60_000);
  if (r.code !== 0) throw new Error(`kubectl ${args.join(' ')} exited ${r.code}: ${r.stderr}`);
  return r.stdout;
};

beforeAll(async () => {
  await stackUnderTest.start(POLICY);
  kubeconfig = stackUnderTest.kubeconfig(await stackUnderTest.agentToken('demo-agent'));
}, 120_000);

afterAll(async () => {
  await stackUnderTest.stop();
});

describe('the demo cluster through Chaperone', () => {
  it('get events and describe pod show the seeded events', async () => {
    expect(await kubectl('get', 'events')).toMatch(/^2d\s+Normal\s+Scheduled\s+pod\/web-7d4b9c8f5-abcde\s+Successfully assigned default\/web-7d4b9c8f5-abcde to demo-node-1$/m);
    const described = await kubectl('describe', 'pod', 'worker-0');
    expect(described).toMatch(/^\s+Normal\s+Started\s+5h\s+kubelet\s+Started container worker$/m);
    expect(described).toMatch(/^Controlled By:\s+StatefulSet\/worker$/m);
  }, 60_000);

  it('get rs lists the deployment\'s replicaset; describe deploy names it', async () => {
    expect(await kubectl('get', 'rs')).toMatch(/^web-7d4b9c8f5\s+1\s+1\s+1\s+2d$/m);
    expect(await kubectl('describe', 'deploy', 'web')).toMatch(/^NewReplicaSet:\s+web-7d4b9c8f5 \(1\/1 replicas created\)$/m);
  }, 60_000);

  it('explain pods and deployment.spec.replicas read /openapi/v3 through the ingress', async () => {
    expect(await kubectl('explain', 'pods')).toMatch(/^KIND:\s+Pod$/m);
    expect(await kubectl('explain', 'deployment.spec.replicas')).toMatch(/^FIELD: replicas <integer>$/m);
  }, 60_000);

  it('a pod that started two days ago says so: Start Time matches AGE', async () => {
    expect(await kubectl('get', 'pod', 'web-7d4b9c8f5-abcde')).toMatch(/\s2d$/m);
    const pod = JSON.parse(await kubectl('get', 'pod', 'web-7d4b9c8f5-abcde', '-o', 'json')) as { metadata: { creationTimestamp: string }; status: { startTime: string } };
    expect(pod.status.startTime).toBe(pod.metadata.creationTimestamp);
    expect(Date.now() - Date.parse(pod.status.startTime)).toBeGreaterThan(47 * 3600_000);
  }, 60_000);
});
