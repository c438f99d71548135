import { ResourceDef, resourceOf } from '../resources';
import { Store } from '../store';
import { KubeObject, deepClone, isPlainObject, nowTimestamp } from '../types';
import { NODE, recordEvent } from './events';
import { createAt, ownerReference, rec } from './owners';

/** Pods as a workload controller creates them from its template, and as the kubelet reports them starting and stopping. */
export const PODS = resourceOf('', 'pods');

function containerNames(pod: KubeObject): string[] {
  const cs = rec(pod['spec'])['containers'];
  return Array.isArray(cs) ? cs.filter(isPlainObject).map((c) => String(c['name'])) : [];
}

function images(pod: KubeObject): Map<string, string> {
  const cs = rec(pod['spec'])['containers'];
  return new Map((Array.isArray(cs) ? cs.filter(isPlainObject) : []).map((c) => [String(c['name']), String(c['image'])]));
}

/** The scheduler's and the kubelet's events for a pod that starts at `at`. */
export function recordPodStarted(store: Store, pod: KubeObject, at: Date): void {
  const ns = pod.metadata.namespace ?? 'default';
  recordEvent(store, pod, { reason: 'Scheduled', message: `Successfully assigned ${ns}/${pod.metadata.name ?? ''} to ${NODE}`, source: { component: 'default-scheduler' }, at });
  const kubelet = { component: 'kubelet', host: NODE };
  for (const [name, image] of images(pod)) {
    const fieldPath = `spec.containers{${name}}`;
    recordEvent(store, pod, { reason: 'Pulled', message: `Container image "${image}" already present on machine`, source: kubelet, at, fieldPath });
    recordEvent(store, pod, { reason: 'Created', message: `Created container: ${name}`, source: kubelet, at, fieldPath });
    recordEvent(store, pod, { reason: 'Started', message: `Started container ${name}`, source: kubelet, at, fieldPath });
  }
}

/** The kubelet's event for a pod being deleted: its containers are stopped. */
export function recordPodStopping(store: Store, pod: KubeObject, at: Date): void {
  for (const name of containerNames(pod)) {
    recordEvent(store, pod, { reason: 'Killing', message: `Stopping container ${name}`, source: { component: 'kubelet', host: NODE }, at, fieldPath: `spec.containers{${name}}` });
  }
}

/** A pod from an owner's template (spec.template), owned by it, with extra labels; the kubelet starts it at once. */
export function createPodFor(store: Store, ownerR: ResourceDef, owner: KubeObject, name: string, labels: Record<string, string>, at: Date): KubeObject {
  const template = rec(rec(owner['spec'])['template']);
  const meta = rec(template['metadata']);
  const pod: KubeObject = {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name,
      namespace: owner.metadata.namespace,
      labels: { ...(rec(meta['labels']) as Record<string, string>), ...labels },
      ...(isPlainObject(meta['annotations']) ? { annotations: { ...(meta['annotations'] as Record<string, string>) } } : {}),
      ownerReferences: [ownerReference(ownerR, owner)],
    },
    spec: deepClone(rec(template['spec'])),
  };
  if (ownerR.kind === 'ReplicaSet') pod.metadata.generateName = `${owner.metadata.name ?? ''}-`;
  const stored = createAt(store, PODS, pod, at);
  recordPodStarted(store, stored, at);
  return stored;
}

/** Deletes a pod as its controller does (graceful deletion compressed: Terminating, then gone). */
export function deletePod(store: Store, pod: KubeObject, at: Date): void {
  store.put(PODS, { ...pod, metadata: { ...pod.metadata, deletionTimestamp: nowTimestamp(at), deletionGracePeriodSeconds: 0 } });
  store.remove(PODS, pod.metadata.namespace, pod.metadata.name ?? '');
}
