import { randomUUID } from 'node:crypto';
import { applyDefaults, reconcileStatus } from './defaults';
import { findResource } from './resources';
import { Store } from './store';
import { KubeObject, nowTimestamp } from './types';

/** The demo cluster's contents: namespaces default + kube-system, a few pods, a secret, a configmap, a deployment. */
export function add(store: Store, resource: string, group: string, obj: KubeObject, ageSeconds: number): void {
  const r = findResource(group, group ? 'v1' : 'v1', resource);
  if (!r) throw new Error(`unknown resource ${resource}`);
  obj.metadata.uid = randomUUID();
  obj.metadata.creationTimestamp = nowTimestamp(new Date(Date.now() - ageSeconds * 1000));
  applyDefaults(r, obj);
  reconcileStatus(r, obj);
  store.put(r, obj);
}

const container = (name: string, image: string) => ({ name, image, ports: [{ containerPort: 8080, protocol: 'TCP' }] });

export function seed(store: Store): void {
  const day = 86400;
  add(store, 'namespaces', '', { metadata: { name: 'default' } }, 30 * day);
  add(store, 'namespaces', '', { metadata: { name: 'kube-system' } }, 30 * day);
  add(store, 'pods', '', { metadata: { name: 'web-7d4b9c8f5-abcde', namespace: 'default', labels: { app: 'web', 'pod-template-hash': '7d4b9c8f5' } }, spec: { containers: [container('web', 'nginx:1.27')] } }, 2 * day);
  add(store, 'pods', '', { metadata: { name: 'worker-0', namespace: 'default', labels: { app: 'worker' } }, spec: { containers: [container('worker', 'busybox:1.36')] } }, 5 * 3600);
  add(store, 'pods', '', { metadata: { name: 'coredns-668d6bf9bc-xk2lp', namespace: 'kube-system', labels: { 'k8s-app': 'kube-dns' } }, spec: { containers: [container('coredns', 'registry.k8s.io/coredns/coredns:v1.11.3')] } }, 30 * day);
  add(store, 'secrets', '', { metadata: { name: 'db-credentials', namespace: 'default', labels: { app: 'web' } }, type: 'Opaque', data: { username: Buffer.from('admin').toString('base64'), password: Buffer.from('s3cr3t-demo-password').toString('base64') } }, 2 * day);
  add(store, 'configmaps', '', { metadata: { name: 'web-config', namespace: 'default', labels: { app: 'web' } }, data: { 'LOG_LEVEL': 'info', 'FEATURE_FLAGS': 'a,b' } }, 2 * day);
  add(store, 'configmaps', '', { metadata: { name: 'kube-root-ca.crt', namespace: 'default' }, data: { 'ca.crt': '-----BEGIN CERTIFICATE-----\nMIIDemo\n-----END CERTIFICATE-----\n' } }, 30 * day);
  add(store, 'services', '', { metadata: { name: 'kubernetes', namespace: 'default', labels: { component: 'apiserver', provider: 'kubernetes' } }, spec: { ports: [{ name: 'https', port: 443, targetPort: 6443 }] } }, 30 * day);
  add(store, 'deployments', 'apps', {
    metadata: { name: 'web', namespace: 'default', labels: { app: 'web' } },
    spec: { replicas: 1, selector: { matchLabels: { app: 'web' } }, template: { metadata: { labels: { app: 'web' } }, spec: { containers: [container('web', 'nginx:1.27')] } } },
  }, 2 * day);
}
