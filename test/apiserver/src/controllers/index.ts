import { ResourceDef, resourceOf } from '../resources';
import { Store, StoreEvent } from '../store';
import { KubeObject } from '../types';
import { DEPLOYMENTS, reconcileDeployment } from './deployment';
import { CORE_EVENTS, EVENTS_V1, fromEventsV1, toEventsV1 } from './events';
import { controllerOf } from './owners';
import { PODS, recordPodStopping } from './pods';
import { REPLICASETS, reconcileReplicaSet } from './replicaset';
import { STATEFULSETS, reconcileStatefulSet } from './statefulset';

export { createReplicaSet } from './deployment';
export { createReplicaSetPod } from './replicaset';
export { createStatefulSetPod } from './statefulset';

/**
 * The controller manager of the demo cluster. It watches the store and, once the request that wrote
 * has been answered (a microtask later, so a watcher sees the write before its consequences), runs
 * the controllers until nothing changes: deployments, replicasets, statefulsets, the garbage
 * collector, the kubelet's stop events, and the two views of events.
 */
type Reconciler = (store: Store, o: KubeObject, now: Date) => void;
const RECONCILERS = new Map<ResourceDef, Reconciler>([
  [DEPLOYMENTS, reconcileDeployment],
  [REPLICASETS, reconcileReplicaSet],
  [STATEFULSETS, reconcileStatefulSet],
]);
const OWNER_KINDS = new Map<string, ResourceDef>([['Deployment', DEPLOYMENTS], ['ReplicaSet', REPLICASETS], ['StatefulSet', STATEFULSETS]]);
const NAMESPACES = resourceOf('', 'namespaces');
/** More rounds than any chain of consequences here has (deployment -> replicaset -> pods -> status). */
const MAX_ROUNDS = 50;

interface Work {
  resource: ResourceDef;
  namespace: string;
  name: string;
}

export function startControllers(store: Store, now: () => Date = () => new Date()): () => void {
  const queue = new Map<string, Work>();
  const tasks: (() => void)[] = [];
  let scheduled = false;
  // Writes the mirror itself makes are not mirrored back.
  let mirroring = false;

  const schedule = () => {
    if (!scheduled) {
      scheduled = true;
      queueMicrotask(run);
    }
  };
  const enqueue = (resource: ResourceDef, namespace: string | undefined, name: string) => {
    queue.set(`${resource.resource}/${namespace ?? ''}/${name}`, { resource, namespace: namespace ?? '', name });
    schedule();
  };
  const later = (task: () => void) => {
    tasks.push(task);
    schedule();
  };

  const run = () => {
    for (let round = 0; round < MAX_ROUNDS && (queue.size > 0 || tasks.length > 0); round++) {
      for (const task of tasks.splice(0)) task();
      const batch = [...queue.values()];
      queue.clear();
      for (const w of batch) {
        const obj = store.get(w.resource, w.namespace, w.name);
        if (obj) RECONCILERS.get(w.resource)?.(store, obj, now());
      }
    }
    queue.clear();
    tasks.length = 0;
    scheduled = false;
  };

  const mirror = (e: StoreEvent) => {
    const to = e.resource === CORE_EVENTS ? EVENTS_V1 : CORE_EVENTS;
    const convert = e.resource === CORE_EVENTS ? toEventsV1 : fromEventsV1;
    mirroring = true;
    try {
      if (e.type === 'DELETED') store.remove(to, e.object.metadata.namespace, e.object.metadata.name ?? '');
      else store.put(to, convert(e.object));
    } finally {
      mirroring = false;
    }
  };

  const collectGarbage = (owner: KubeObject) => {
    for (const r of [REPLICASETS, PODS]) {
      for (const o of store.list(r, owner.metadata.namespace)) {
        if (controllerOf(o)?.uid === owner.metadata.uid) store.remove(r, o.metadata.namespace, o.metadata.name ?? '');
      }
    }
  };

  const namespaceExists = (ns: string | undefined) => ns !== undefined && store.get(NAMESPACES, undefined, ns) !== undefined;

  const unsubscribe = store.subscribe((e) => {
    if (e.resource === CORE_EVENTS || e.resource === EVENTS_V1) {
      if (!mirroring) mirror(e);
      return;
    }
    const ns = e.object.metadata.namespace;
    if (RECONCILERS.has(e.resource)) {
      if (e.type === 'DELETED') later(() => collectGarbage(e.object));
      else enqueue(e.resource, ns, e.object.metadata.name ?? '');
    }
    // A change below an owner (a pod gone, a replicaset scaled) is its owner's business.
    const owner = controllerOf(e.object);
    const ownerR = owner ? OWNER_KINDS.get(owner.kind) : undefined;
    if (owner && ownerR && (e.type === 'DELETED' || e.resource !== PODS)) enqueue(ownerR, ns, owner.name);
    if (e.resource === PODS && e.type === 'DELETED') {
      later(() => {
        if (namespaceExists(ns)) recordPodStopping(store, e.object, now());
      });
    }
  });
  // As informers start with a list: what is already stored is mirrored and reconciled.
  for (const e of store.list(CORE_EVENTS)) if (!store.get(EVENTS_V1, e.metadata.namespace, e.metadata.name ?? '')) mirror({ type: 'ADDED', resource: CORE_EVENTS, object: e, rv: 0 });
  for (const r of RECONCILERS.keys()) for (const o of store.list(r)) enqueue(r, o.metadata.namespace, o.metadata.name ?? '');
  return unsubscribe;
}
