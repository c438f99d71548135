import { resourceOf } from '../resources';
import { Store } from '../store';
import { KubeObject } from '../types';
import { recordEvent } from './events';
import { ownedBy, putIfChanged, rec, templateHash } from './owners';
import { PODS, createPodFor, deletePod } from './pods';
import { replicasOf } from './replicaset';

/**
 * The StatefulSet controller, instantly: pods <name>-0 … <name>-(n-1). A deleted pod comes back under
 * the same name (a new uid, a new age), which is what makes `kubectl delete pod worker-0` repeatable.
 */
export const STATEFULSETS = resourceOf('apps', 'statefulsets');
const SOURCE = { component: 'statefulset-controller' };

const revisionOf = (ss: KubeObject) => `${ss.metadata.name ?? ''}-${templateHash(rec(ss['spec'])['template'])}`;

export function createStatefulSetPod(store: Store, ss: KubeObject, ordinal: number, at: Date): KubeObject {
  const name = `${ss.metadata.name ?? ''}-${ordinal}`;
  const labels = { 'apps.kubernetes.io/pod-index': String(ordinal), 'controller-revision-hash': revisionOf(ss), 'statefulset.kubernetes.io/pod-name': name };
  const pod = createPodFor(store, STATEFULSETS, ss, name, labels, at);
  recordEvent(store, ss, { reason: 'SuccessfulCreate', message: `create Pod ${name} in StatefulSet ${ss.metadata.name ?? ''} successful`, source: SOURCE, at });
  return pod;
}

export function reconcileStatefulSet(store: Store, ss: KubeObject, now: Date): void {
  const pods = store.list(PODS, ss.metadata.namespace).filter(ownedBy(ss));
  const want = replicasOf(ss);
  const prefix = `${ss.metadata.name ?? ''}-`;
  const ordinal = (p: KubeObject) => Number((p.metadata.name ?? '').slice(prefix.length));
  for (let i = 0; i < want; i++) if (!pods.some((p) => ordinal(p) === i)) createStatefulSetPod(store, ss, i, now);
  // Scaling down removes the highest ordinals first.
  for (const pod of pods.filter((p) => ordinal(p) >= want).sort((a, b) => ordinal(b) - ordinal(a))) {
    deletePod(store, pod, now);
    recordEvent(store, ss, { reason: 'SuccessfulDelete', message: `delete Pod ${pod.metadata.name ?? ''} in StatefulSet ${ss.metadata.name ?? ''} successful`, source: SOURCE, at: now });
  }
  const current = store.get(STATEFULSETS, ss.metadata.namespace, ss.metadata.name ?? '');
  if (!current) return;
  const revision = revisionOf(current);
  const status = {
    observedGeneration: current.metadata.generation ?? 1,
    replicas: want, readyReplicas: want, currentReplicas: want, updatedReplicas: want, availableReplicas: want,
    currentRevision: revision, updateRevision: revision, collisionCount: 0,
  };
  putIfChanged(store, STATEFULSETS, current, { ...current, status });
}
