import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { applyDefaults, reconcileStatus } from '../defaults';
import { ResourceDef, apiVersionOf } from '../resources';
import { Store } from '../store';
import { KubeObject, deepClone, isPlainObject, nowTimestamp } from '../types';

/** What the controllers share: owner references, the pod-template hash, and creating objects as a controller does. */
export const rec = (v: unknown): Record<string, unknown> => (isPlainObject(v) ? v : {});

/** The alphabet of apimachinery's rand.SafeEncodeString: no vowels, no 0/1/3, so names spell no words. */
const SAFE = 'bcdfghjklmnpqrstvwxz2456789';

/** A pod-template-hash as the deployment controller computes it: a 32-bit hash of the template, safe-encoded. */
export function templateHash(template: unknown): string {
  const n = createHash('sha256').update(JSON.stringify(withoutHash(template))).digest().readUInt32BE(0);
  return [...String(n)].map((c) => SAFE[c.charCodeAt(0) % SAFE.length] ?? 'b').join('');
}

/** The five random characters the API server appends to a generateName. */
export function randomSuffix(): string {
  return [...randomBytes(5)].map((b) => SAFE[b % SAFE.length] ?? 'b').join('');
}

/** A pod template without the pod-template-hash label, to tell whether a ReplicaSet runs a Deployment's template. */
export function withoutHash(template: unknown): unknown {
  const t = deepClone(rec(template));
  const meta = rec(t['metadata']);
  const labels = { ...rec(meta['labels']) };
  delete labels['pod-template-hash'];
  return { ...t, metadata: { ...meta, labels } };
}

export function sameTemplate(a: unknown, b: unknown): boolean {
  return JSON.stringify(withoutHash(a)) === JSON.stringify(withoutHash(b));
}

export function ownerReference(r: ResourceDef, owner: KubeObject): Record<string, unknown> {
  return { apiVersion: apiVersionOf(r), kind: r.kind, name: owner.metadata.name, uid: owner.metadata.uid, controller: true, blockOwnerDeletion: true };
}

/** The uid of the object's controller (the owner reference with controller: true), if any. */
export function controllerOf(o: KubeObject): { kind: string; name: string; uid: string } | undefined {
  const refs = Array.isArray(o.metadata['ownerReferences']) ? o.metadata['ownerReferences'].filter(isPlainObject) : [];
  const ref = refs.find((x) => x['controller'] === true);
  return ref ? { kind: String(ref['kind']), name: String(ref['name']), uid: String(ref['uid']) } : undefined;
}

export const ownedBy = (owner: KubeObject) => (o: KubeObject): boolean => controllerOf(o)?.uid === owner.metadata.uid;

/** Creates an object as a controller does: a uid, a creation time (`at`, in the past for the seed), defaults, status. */
export function createAt(store: Store, r: ResourceDef, obj: KubeObject, at: Date): KubeObject {
  obj.metadata.uid = randomUUID();
  obj.metadata.creationTimestamp = nowTimestamp(at);
  applyDefaults(r, obj);
  reconcileStatus(r, obj);
  return store.put(r, obj);
}

/** Writes `next` when it differs from `current` (so a reconcile that changes nothing writes nothing). */
export function putIfChanged(store: Store, r: ResourceDef, current: KubeObject, next: KubeObject): KubeObject {
  if (JSON.stringify(current) === JSON.stringify(next)) return current;
  return store.put(r, next);
}
