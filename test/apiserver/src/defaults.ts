import { ResourceDef, apiVersionOf, qualifiedName } from './resources';
import { invalid } from './status';
import { KubeObject, isPlainObject, nowTimestamp } from './types';

/**
 * Server-side defaulting and a tiny simulation of the controllers (scheduler, kubelet, deployment
 * controller) so objects look "alive": pods run, deployments report ready replicas.
 */
let serviceIpCounter = 10;
let podIpCounter = 10;

function rec(v: unknown): Record<string, unknown> {
  return isPlainObject(v) ? v : {};
}

/** Kinds with a pod template, a selector and a generation that counts spec changes. */
export const WORKLOADS = new Set(['Deployment', 'ReplicaSet', 'StatefulSet']);

function defaultTemplate(spec: Record<string, unknown>): void {
  spec['replicas'] ??= 1;
  const tpl = rec(spec['template']);
  tpl['metadata'] ??= {};
  const tplSpec = rec(tpl['spec']);
  defaultPodSpec(tplSpec);
  tpl['spec'] = tplSpec;
  spec['template'] = tpl;
}

export function validate(r: ResourceDef, obj: KubeObject): void {
  const name = obj.metadata.name ?? '';
  const fail = (field: string, msg: string) => invalid(qualifiedName(r), r.kind, name, r.group, field, msg);
  if (!/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/.test(name) || name.length > 253) {
    throw fail('metadata.name', `Invalid value: "${name}": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character`);
  }
  const spec = rec(obj['spec']);
  if (r.kind === 'Pod') {
    if (!Array.isArray(spec['containers']) || spec['containers'].length === 0) throw fail('spec.containers', 'Required value');
  }
  if (WORKLOADS.has(r.kind)) {
    if (!isPlainObject(spec['selector'])) throw fail('spec.selector', 'Required value');
    const tpl = rec(rec(spec['template'])['spec']);
    if (!Array.isArray(tpl['containers']) || tpl['containers'].length === 0) throw fail('spec.template.spec.containers', 'Required value');
  }
}

function defaultContainers(containers: unknown): void {
  if (!Array.isArray(containers)) return;
  for (const c of containers) {
    if (!isPlainObject(c)) continue;
    const image = typeof c['image'] === 'string' ? c['image'] : '';
    c['imagePullPolicy'] ??= image.endsWith(':latest') || !/:[^/]+$/.test(image) ? 'Always' : 'IfNotPresent';
    c['resources'] ??= {};
    c['terminationMessagePath'] ??= '/dev/termination-log';
    c['terminationMessagePolicy'] ??= 'File';
  }
}

function defaultPodSpec(spec: Record<string, unknown>): void {
  defaultContainers(spec['containers']);
  spec['restartPolicy'] ??= 'Always';
  spec['dnsPolicy'] ??= 'ClusterFirst';
  spec['schedulerName'] ??= 'default-scheduler';
  spec['securityContext'] ??= {};
  spec['terminationGracePeriodSeconds'] ??= 30;
}

/** Fills defaults on create. `obj.metadata` already carries name/namespace/uid/creationTimestamp. */
export function applyDefaults(r: ResourceDef, obj: KubeObject): void {
  obj.apiVersion = apiVersionOf(r);
  obj.kind = r.kind;
  switch (r.kind) {
    case 'Namespace': {
      obj.metadata.labels = { ...(obj.metadata.labels ?? {}), 'kubernetes.io/metadata.name': obj.metadata.name ?? '' };
      obj['spec'] = { finalizers: ['kubernetes'], ...rec(obj['spec']) };
      obj['status'] = { phase: 'Active' };
      break;
    }
    case 'Secret': {
      obj['type'] ??= 'Opaque';
      const stringData = obj['stringData'];
      if (isPlainObject(stringData)) {
        const data = rec(obj['data']);
        for (const [k, v] of Object.entries(stringData)) data[k] = Buffer.from(String(v)).toString('base64');
        obj['data'] = data;
        delete obj['stringData'];
      }
      break;
    }
    case 'Service': {
      const spec = rec(obj['spec']);
      spec['type'] ??= 'ClusterIP';
      spec['clusterIP'] ??= `10.96.0.${serviceIpCounter++ % 250}`;
      spec['clusterIPs'] ??= [spec['clusterIP']];
      spec['sessionAffinity'] ??= 'None';
      if (Array.isArray(spec['ports'])) {
        for (const p of spec['ports']) {
          if (!isPlainObject(p)) continue;
          p['protocol'] ??= 'TCP';
          p['targetPort'] ??= p['port'] ?? 0;
        }
      }
      obj['spec'] = spec;
      obj['status'] = { loadBalancer: {} };
      break;
    }
    case 'Pod': {
      const spec = rec(obj['spec']);
      defaultPodSpec(spec);
      spec['nodeName'] ??= 'demo-node-1';
      obj['spec'] = spec;
      // A pod runs from the moment it is created: its start, its containers' and its conditions' times are its creation time.
      const started = obj.metadata.creationTimestamp ?? nowTimestamp();
      const containers = Array.isArray(spec['containers']) ? spec['containers'].filter(isPlainObject) : [];
      obj['status'] = {
        phase: 'Running',
        conditions: ['Initialized', 'Ready', 'ContainersReady', 'PodScheduled'].map((type) => ({ type, status: 'True', lastProbeTime: null, lastTransitionTime: started })),
        hostIP: '172.18.0.2',
        podIP: `10.244.0.${podIpCounter++ % 250}`,
        startTime: started,
        qosClass: 'BestEffort',
        containerStatuses: containers.map((c) => ({
          name: c['name'],
          image: c['image'],
          imageID: `docker.io/library/${String(c['image'])}@sha256:${'0'.repeat(64)}`,
          ready: true,
          restartCount: 0,
          started: true,
          state: { running: { startedAt: started } },
          lastState: {},
        })),
      };
      break;
    }
    case 'Deployment': {
      const spec = rec(obj['spec']);
      defaultTemplate(spec);
      spec['revisionHistoryLimit'] ??= 10;
      spec['progressDeadlineSeconds'] ??= 600;
      const strategy = rec(spec['strategy']);
      if (!strategy['type']) spec['strategy'] = { type: 'RollingUpdate', rollingUpdate: { maxSurge: '25%', maxUnavailable: '25%' }, ...strategy };
      obj['spec'] = spec;
      obj.metadata.generation = 1;
      obj.metadata.annotations = { 'deployment.kubernetes.io/revision': '1', ...(obj.metadata.annotations ?? {}) };
      break;
    }
    case 'ReplicaSet': {
      const spec = rec(obj['spec']);
      defaultTemplate(spec);
      obj['spec'] = spec;
      obj.metadata.generation = 1;
      obj['status'] = { replicas: 0 };
      break;
    }
    case 'StatefulSet': {
      const spec = rec(obj['spec']);
      defaultTemplate(spec);
      spec['serviceName'] ??= '';
      spec['podManagementPolicy'] ??= 'OrderedReady';
      spec['updateStrategy'] ??= { type: 'RollingUpdate', rollingUpdate: { partition: 0 } };
      spec['revisionHistoryLimit'] ??= 10;
      spec['persistentVolumeClaimRetentionPolicy'] ??= { whenDeleted: 'Retain', whenScaled: 'Retain' };
      obj['spec'] = spec;
      obj.metadata.generation = 1;
      obj['status'] = { replicas: 0, availableReplicas: 0 };
      break;
    }
    default:
      break;
  }
}

/** The deployment controller, instantly: every desired replica is up to date, ready and available. */
export function reconcileStatus(r: ResourceDef, obj: KubeObject): void {
  if (r.kind !== 'Deployment') return;
  const replicas = Number(rec(obj['spec'])['replicas'] ?? 1);
  // Conditions keep their times once set; a new deployment's are its creation time. The Progressing
  // message names the ReplicaSet, which the deployment controller fills in (controllers/deployment.ts).
  const ts = obj.metadata.creationTimestamp ?? nowTimestamp();
  const prev = rec(obj['status'])['conditions'];
  const kept = (type: string) => (Array.isArray(prev) ? prev.filter(isPlainObject).find((c) => c['type'] === type) : undefined);
  obj['status'] = {
    observedGeneration: obj.metadata.generation ?? 1,
    replicas,
    updatedReplicas: replicas,
    readyReplicas: replicas,
    availableReplicas: replicas,
    conditions: [
      kept('Available') ?? { type: 'Available', status: 'True', reason: 'MinimumReplicasAvailable', message: 'Deployment has minimum availability.', lastUpdateTime: ts, lastTransitionTime: ts },
      kept('Progressing') ?? { type: 'Progressing', status: 'True', reason: 'NewReplicaSetAvailable', message: `ReplicaSet "${obj.metadata.name ?? ''}" has successfully progressed.`, lastUpdateTime: ts, lastTransitionTime: ts },
    ],
  };
  if (replicas === 0) {
    const st = rec(obj['status']);
    delete st['readyReplicas'];
    delete st['availableReplicas'];
  }
}
