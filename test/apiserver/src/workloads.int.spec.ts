import { KubectlHarness, startKubectlHarness } from './testing/kubectl-harness';

/**
 * The demo cluster's workloads, events, timestamps and schemas as the real kubectl (v1.32) shows them.
 */
let harness: KubectlHarness;
const kubectl = async (...args: string[]) => {
  const r = await harness.kubectl(...args);
  if (r.code !== 0) throw new Error(`kubectl ${args.join(' ')} exited ${r.code}: ${r.stderr}`);
  return r.stdout;
};
const jsonOf = async (...args: string[]) => JSON.parse(await kubectl(...args, '-o', 'json')) as { metadata: Record<string, unknown>; status?: Record<string, unknown>; items?: { metadata: Record<string, unknown> }[] };

beforeAll(async () => {
  harness = await startKubectlHarness('workloads-token');
}, 30_000);

afterAll(async () => {
  await harness?.close();
});

describe('the demo cluster, as kubectl shows it', () => {
  it('get events lists the seeded events, in both APIs', async () => {
    const core = await kubectl('get', 'events');
    expect(core).toMatch(/^LAST SEEN\s+TYPE\s+REASON\s+OBJECT\s+MESSAGE$/m);
    expect(core).toMatch(/^2d\s+Normal\s+Started\s+pod\/web-7d4b9c8f5-abcde\s+Started container web$/m);
    expect(core).toMatch(/^2d\s+Normal\s+ScalingReplicaSet\s+deployment\/web\s+Scaled up replica set web-7d4b9c8f5 from 0 to 1$/m);
    expect(core).toMatch(/^5h\s+Normal\s+SuccessfulCreate\s+statefulset\/worker\s+create Pod worker-0 in StatefulSet worker successful$/m);
    const v1 = await jsonOf('get', 'events.v1.events.k8s.io', '--field-selector', 'regarding.name=worker-0');
    expect(v1.items?.length).toBe(4);
    expect(v1.items?.[0]).toMatchObject({ apiVersion: 'events.k8s.io/v1', regarding: { kind: 'Pod', name: 'worker-0' }, reportingController: 'default-scheduler' });
  }, 60_000);

  it('describe pod shows its events and a start time equal to its creation', async () => {
    const out = await kubectl('describe', 'pod', 'web-7d4b9c8f5-abcde');
    expect(out).toMatch(/^Controlled By:\s+ReplicaSet\/web-7d4b9c8f5$/m);
    expect(out).toMatch(/^\s+Normal\s+Scheduled\s+2d\s+default-scheduler\s+Successfully assigned default\/web-7d4b9c8f5-abcde to demo-node-1$/m);
    expect(out).toMatch(/^\s+Normal\s+Pulled\s+2d\s+kubelet\s+Container image "nginx:1.27" already present on machine$/m);
    const pod = await jsonOf('get', 'pod', 'web-7d4b9c8f5-abcde');
    const created = Date.parse(String(pod.metadata['creationTimestamp']));
    expect(Date.now() - created).toBeGreaterThan(47 * 3600_000);
    const status = pod.status as { startTime: string; containerStatuses: { state: { running: { startedAt: string } } }[]; conditions: { lastTransitionTime: string }[] };
    expect(Date.parse(status.startTime)).toBe(created);
    expect(Date.parse(status.containerStatuses[0]?.state.running.startedAt ?? '')).toBe(created);
    for (const c of status.conditions) expect(Date.parse(c.lastTransitionTime)).toBe(created);
  }, 60_000);

  it('deployments own replicasets, which own pods; describe deploy names them', async () => {
    expect(await kubectl('get', 'rs')).toMatch(/^web-7d4b9c8f5\s+1\s+1\s+1\s+2d$/m);
    const rs = await jsonOf('get', 'rs', 'web-7d4b9c8f5');
    expect(rs.metadata['ownerReferences']).toEqual([expect.objectContaining({ kind: 'Deployment', name: 'web', controller: true })]);
    const pod = await jsonOf('get', 'pod', 'web-7d4b9c8f5-abcde');
    expect(pod.metadata['labels']).toMatchObject({ app: 'web', 'pod-template-hash': '7d4b9c8f5' });
    expect(pod.metadata['ownerReferences']).toEqual([expect.objectContaining({ kind: 'ReplicaSet', name: 'web-7d4b9c8f5', uid: rs.metadata['uid'] })]);
    expect(await kubectl('describe', 'deploy', 'web')).toMatch(/^NewReplicaSet:\s+web-7d4b9c8f5 \(1\/1 replicas created\)$/m);
  }, 60_000);

  it('a deleted statefulset pod comes back under its name; a deleted replicaset pod gets a replacement', async () => {
    const before = await jsonOf('get', 'pod', 'worker-0');
    expect((await kubectl('delete', 'pod', 'worker-0')).trim()).toBe('pod "worker-0" deleted');
    const after = await jsonOf('get', 'pod', 'worker-0');
    expect(after.metadata['uid']).not.toBe(before.metadata['uid']);
    expect(Date.now() - Date.parse(String(after.metadata['creationTimestamp']))).toBeLessThan(60_000);
    expect(await kubectl('get', 'events', '--field-selector', 'involvedObject.name=worker-0')).toMatch(/Killing\s+pod\/worker-0\s+Stopping container worker/);

    await kubectl('delete', 'pod', 'web-7d4b9c8f5-abcde');
    const pods = await jsonOf('get', 'pods', '-l', 'app=web');
    expect(pods.items?.map((p) => p.metadata['name'])).toEqual([expect.stringMatching(/^web-7d4b9c8f5-[a-z2-9]{5}$/)]);
    expect(await kubectl('get', 'events', '--field-selector', 'involvedObject.kind=ReplicaSet')).toMatch(/SuccessfulCreate\s+replicaset\/web-7d4b9c8f5\s+Created pod: web-7d4b9c8f5-/);
  }, 90_000);

  it('scale and rollout restart keep replicasets and pods in step, with events', async () => {
    await kubectl('scale', 'deploy', 'web', '--replicas=3');
    expect(await kubectl('get', 'rs', 'web-7d4b9c8f5')).toMatch(/^web-7d4b9c8f5\s+3\s+3\s+3\s+2d$/m);
    expect((await jsonOf('get', 'pods', '-l', 'app=web')).items).toHaveLength(3);
    await kubectl('rollout', 'restart', 'deploy', 'web');
    const rsList = await jsonOf('get', 'rs');
    const fresh = rsList.items?.find((r) => r.metadata['name'] !== 'web-7d4b9c8f5');
    expect(fresh?.metadata['annotations']).toMatchObject({ 'deployment.kubernetes.io/revision': '2' });
    const hash = String(fresh?.metadata['name']).replace('web-', '');
    const pods = await jsonOf('get', 'pods', '-l', 'app=web');
    expect(pods.items?.map((p) => (p.metadata['labels'] as Record<string, string>)['pod-template-hash'])).toEqual([hash, hash, hash]);
    expect(await kubectl('rollout', 'status', 'deploy', 'web')).toContain('successfully rolled out');
    const described = await kubectl('describe', 'deploy', 'web');
    expect(described).toMatch(/^OldReplicaSets:\s+web-7d4b9c8f5 \(0\/0 replicas created\)$/m);
    expect(described).toMatch(new RegExp(`Scaled up replica set web-${hash} from 0 to 3`));
    expect(described).toMatch(/Scaled down replica set web-7d4b9c8f5 from 3 to 0/);
  }, 120_000);

  it('explain reads the OpenAPI v3 schemas', async () => {
    const pods = await kubectl('explain', 'pods');
    expect(pods).toMatch(/^KIND:\s+Pod$/m);
    expect(pods).toMatch(/^\s+spec\s+<PodSpec>$/m);
    const replicas = await kubectl('explain', 'deployment.spec.replicas');
    expect(replicas).toMatch(/^GROUP:\s+apps$/m);
    expect(replicas).toMatch(/^FIELD: replicas <integer>$/m);
    expect(replicas).toContain('Number of desired pods.');
    expect(await kubectl('explain', 'rs.spec.template.spec.containers.image')).toMatch(/^FIELD: image <string>$/m);
  }, 60_000);
});
