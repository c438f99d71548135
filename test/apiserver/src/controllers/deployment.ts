import { resourceOf } from '../resources';
import { Store } from '../store';
import { KubeObject, deepClone, nowTimestamp } from '../types';
import { recordEvent } from './events';
import { createAt, ownedBy, ownerReference, putIfChanged, rec, sameTemplate, templateHash } from './owners';
import { REPLICASETS, replicasOf } from './replicaset';

/**
 * The Deployment controller, instantly: the ReplicaSet whose template is the Deployment's gets every
 * replica, older ones are scaled to zero (a rollout in one step). The Deployment's revision and status
 * follow its ReplicaSets.
 */
export const DEPLOYMENTS = resourceOf('apps', 'deployments');
const SOURCE = { component: 'deployment-controller' };
const REVISION = 'deployment.kubernetes.io/revision';

const revisionOf = (o: KubeObject) => Number(o.metadata.annotations?.[REVISION] ?? 0);

function scale(store: Store, d: KubeObject, rs: KubeObject, to: number, at: Date): KubeObject {
  const from = replicasOf(rs);
  if (from === to) return rs;
  const annotations = { ...(rs.metadata.annotations ?? {}), 'deployment.kubernetes.io/desired-replicas': String(replicasOf(d)), 'deployment.kubernetes.io/max-replicas': String(replicasOf(d) + 1) };
  const out = store.put(REPLICASETS, { ...rs, metadata: { ...rs.metadata, annotations }, spec: { ...rec(rs['spec']), replicas: to } });
  recordEvent(store, d, { reason: 'ScalingReplicaSet', message: `Scaled ${to > from ? 'up' : 'down'} replica set ${rs.metadata.name ?? ''} from ${from} to ${to}`, source: SOURCE, at });
  return out;
}

/** A new ReplicaSet for the Deployment's current template, at zero replicas (reconcile scales it). */
export function createReplicaSet(store: Store, d: KubeObject, at: Date, hash = templateHash(rec(d['spec'])['template']), revision = 1): KubeObject {
  const spec = rec(d['spec']);
  const template = deepClone(rec(spec['template']));
  const tplMeta = rec(template['metadata']);
  template['metadata'] = { ...tplMeta, labels: { ...rec(tplMeta['labels']), 'pod-template-hash': hash } };
  const selector = rec(spec['selector']);
  return createAt(store, REPLICASETS, {
    apiVersion: 'apps/v1',
    kind: 'ReplicaSet',
    metadata: {
      name: `${d.metadata.name ?? ''}-${hash}`,
      namespace: d.metadata.namespace,
      labels: { ...rec(tplMeta['labels']), 'pod-template-hash': hash } as Record<string, string>,
      annotations: { 'deployment.kubernetes.io/desired-replicas': String(replicasOf(d)), 'deployment.kubernetes.io/max-replicas': String(replicasOf(d) + 1), [REVISION]: String(revision) },
      ownerReferences: [ownerReference(DEPLOYMENTS, d)],
    },
    spec: { replicas: 0, minReadySeconds: spec['minReadySeconds'] ?? 0, selector: { ...selector, matchLabels: { ...rec(selector['matchLabels']), 'pod-template-hash': hash } }, template },
  }, at);
}

export function reconcileDeployment(store: Store, d: KubeObject, now: Date): void {
  const owned = store.list(REPLICASETS, d.metadata.namespace).filter(ownedBy(d));
  const template = rec(d['spec'])['template'];
  let current = owned.find((rs) => sameTemplate(rec(rs['spec'])['template'], template));
  if (!current) current = createReplicaSet(store, d, now, undefined, Math.max(0, ...owned.map(revisionOf)) + 1);
  const want = replicasOf(d);
  current = scale(store, d, current, want, now);
  for (const old of owned.filter((rs) => rs.metadata.uid !== current.metadata.uid)) scale(store, d, old, 0, now);

  const latest = store.get(DEPLOYMENTS, d.metadata.namespace, d.metadata.name ?? '');
  if (!latest) return;
  const status = rec(latest['status']);
  const message = `ReplicaSet "${current.metadata.name ?? ''}" has successfully progressed.`;
  const conditions = (Array.isArray(status['conditions']) ? status['conditions'] : []).map((c) => {
    const cond = rec(c);
    return cond['type'] === 'Progressing' && cond['message'] !== message ? { ...cond, message, lastUpdateTime: nowTimestamp(now) } : cond;
  });
  putIfChanged(store, DEPLOYMENTS, latest, {
    ...latest,
    metadata: { ...latest.metadata, annotations: { ...(latest.metadata.annotations ?? {}), [REVISION]: String(revisionOf(current)) } },
    status: { ...status, conditions },
  });
}
