import { resourceOf } from '../resources';
import { Store } from '../store';
import { KubeObject } from '../types';
import { recordEvent } from './events';
import { ownedBy, putIfChanged, randomSuffix, rec } from './owners';
import { PODS, createPodFor, deletePod } from './pods';

/** The ReplicaSet controller, instantly: as many pods as spec.replicas, each ready at once. */
export const REPLICASETS = resourceOf('apps', 'replicasets');
const SOURCE = { component: 'replicaset-controller' };

export function replicasOf(o: KubeObject): number {
  return Number(rec(o['spec'])['replicas'] ?? 1);
}

function templateLabels(rs: KubeObject): Record<string, string> {
  return rec(rec(rec(rs['spec'])['template'])['metadata'])['labels'] as Record<string, string> ?? {};
}

/** One more pod for a ReplicaSet, named as the API server names generateName objects. */
export function createReplicaSetPod(store: Store, rs: KubeObject, at: Date, name = `${rs.metadata.name ?? ''}-${randomSuffix()}`): KubeObject {
  const pod = createPodFor(store, REPLICASETS, rs, name, templateLabels(rs), at);
  recordEvent(store, rs, { reason: 'SuccessfulCreate', message: `Created pod: ${pod.metadata.name ?? ''}`, source: SOURCE, at });
  return pod;
}

export function reconcileReplicaSet(store: Store, rs: KubeObject, now: Date): void {
  const pods = store.list(PODS, rs.metadata.namespace).filter(ownedBy(rs)).filter((p) => !p.metadata.deletionTimestamp);
  const want = replicasOf(rs);
  for (let i = pods.length; i < want; i++) pods.push(createReplicaSetPod(store, rs, now));
  // Scaling down removes the youngest pods first, as the controller prefers.
  const byAge = [...pods].sort((a, b) => String(b.metadata.creationTimestamp).localeCompare(String(a.metadata.creationTimestamp)));
  for (const pod of byAge.slice(0, Math.max(0, pods.length - want))) {
    deletePod(store, pod, now);
    recordEvent(store, rs, { reason: 'SuccessfulDelete', message: `Deleted pod: ${pod.metadata.name ?? ''}`, source: SOURCE, at: now });
  }
  const current = store.get(REPLICASETS, rs.metadata.namespace, rs.metadata.name ?? '');
  if (!current) return;
  const status: Record<string, unknown> = { replicas: want, fullyLabeledReplicas: want, readyReplicas: want, availableReplicas: want, observedGeneration: current.metadata.generation ?? 1 };
  if (want === 0) for (const k of ['fullyLabeledReplicas', 'readyReplicas', 'availableReplicas']) delete status[k];
  putIfChanged(store, REPLICASETS, current, { ...current, status });
}
