import { randomUUID } from 'node:crypto';
import { applyDefaults, reconcileStatus } from './defaults';
import { findResource } from './resources';
import { Store } from './store';
import { KubeObject, nowTimestamp } from './types';
import { createReplicaSet, createReplicaSetPod, createStatefulSetPod } from './controllers';
import { recordEvent } from './controllers/events';

/** Stores an object created `ageSeconds` ago, defaulted as the API server would. */
export function add(store: Store, resource: string, group: string, obj: KubeObject, ageSeconds: number): void {
  const r = findResource(group, 'v1', resource);
  if (!r) throw new Error(`unknown resource ${resource}`);
  obj.metadata.uid = randomUUID();
  obj.metadata.creationTimestamp = nowTimestamp(new Date(Date.now() - ageSeconds * 1000));
  applyDefaults(r, obj);
  reconcileStatus(r, obj);
  store.put(r, obj);
}

const container = (name: string, image: string) => ({ name, image, ports: [{ containerPort: 8080, protocol: 'TCP' }] });

/** Creates a workload at `ageSeconds` ago; its controller's objects and events date from then too. */
function workload(store: Store, resource: 'deployments' | 'statefulsets', obj: KubeObject, ageSeconds: number): { obj: KubeObject; at: Date } {
  add(store, resource, 'apps', obj, ageSeconds);
  const r = findResource('apps', 'v1', resource);
  const stored = r ? store.get(r, obj.metadata.namespace, obj.metadata.name ?? '') : undefined;
  if (!stored) throw new Error(`seed: ${resource} ${obj.metadata.name ?? ''} was not stored`);
  return { obj: stored, at: new Date(Date.parse(stored.metadata.creationTimestamp ?? '')) };
}

/** A Deployment with one ReplicaSet (given hash) and its pods (given names), all created `ageSeconds` ago. */
function deployment(store: Store, ns: string, name: string, labels: Record<string, string>, image: string, hash: string, pods: string[], ageSeconds: number): void {
  const { obj, at } = workload(store, 'deployments', {
    metadata: { name, namespace: ns, labels },
    spec: { replicas: pods.length, selector: { matchLabels: labels }, template: { metadata: { labels }, spec: { containers: [container(name, image)] } } },
  }, ageSeconds);
  const rs = createReplicaSet(store, obj, at, hash);
  const scaled = { ...rs, spec: { ...(rs['spec'] as object), replicas: pods.length } };
  const rsR = findResource('apps', 'v1', 'replicasets');
  if (rsR) store.put(rsR, scaled);
  recordEvent(store, obj, { reason: 'ScalingReplicaSet', message: `Scaled up replica set ${rs.metadata.name ?? ''} from 0 to ${pods.length}`, source: { component: 'deployment-controller' }, at });
  for (const pod of pods) createReplicaSetPod(store, scaled, at, pod);
}

/** The demo cluster's contents: namespaces default + kube-system, deployments web and coredns, statefulset worker, a secret, configmaps, a service. */
export function seed(store: Store): void {
  const day = 86400;
  add(store, 'namespaces', '', { metadata: { name: 'default' } }, 30 * day);
  add(store, 'namespaces', '', { metadata: { name: 'kube-system' } }, 30 * day);
  deployment(store, 'default', 'web', { app: 'web' }, 'nginx:1.27', '7d4b9c8f5', ['web-7d4b9c8f5-abcde'], 2 * day);
  deployment(store, 'kube-system', 'coredns', { 'k8s-app': 'kube-dns' }, 'registry.k8s.io/coredns/coredns:v1.11.3', '668d6bf9bc', ['coredns-668d6bf9bc-xk2lp'], 30 * day);
  const worker = workload(store, 'statefulsets', {
    metadata: { name: 'worker', namespace: 'default', labels: { app: 'worker' } },
    spec: { replicas: 1, serviceName: 'worker', selector: { matchLabels: { app: 'worker' } }, template: { metadata: { labels: { app: 'worker' } }, spec: { containers: [container('worker', 'busybox:1.36')] } } },
  }, 5 * 3600);
  createStatefulSetPod(store, worker.obj, 0, worker.at);
  add(store, 'secrets', '', { metadata: { name: 'db-credentials', namespace: 'default', labels: { app: 'web' } }, type: 'Opaque', data: { username: Buffer.from('admin').toString('base64'), password: Buffer.from('s3cr3t-demo-password').toString('base64') } }, 2 * day);
  add(store, 'configmaps', '', { metadata: { name: 'web-config', namespace: 'default', labels: { app: 'web' } }, data: { 'LOG_LEVEL': 'info', 'FEATURE_FLAGS': 'a,b' } }, 2 * day);
  add(store, 'configmaps', '', { metadata: { name: 'kube-root-ca.crt', namespace: 'default' }, data: { 'ca.crt': '-----BEGIN CERTIFICATE-----\nMIIDemo\n-----END CERTIFICATE-----\n' } }, 30 * day);
  add(store, 'services', '', { metadata: { name: 'kubernetes', namespace: 'default', labels: { component: 'apiserver', provider: 'kubernetes' } }, spec: { ports: [{ name: 'https', port: 443, targetPort: 6443 }] } }, 30 * day);
}
