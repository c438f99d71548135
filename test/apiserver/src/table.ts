import { ResourceDef } from './resources';
import { KubeObject, isPlainObject } from './types';

/** meta.k8s.io Table rendering, with the column sets of the real server's printers (pkg/printers/internalversion). */
export interface ColumnDefinition {
  name: string;
  type: string;
  format: string;
  description: string;
  priority: number;
}

export type IncludeObject = 'None' | 'Metadata' | 'Object';

const NAME_DESC = 'Name must be unique within a namespace. Is required when creating resources, although some resources may allow a client to request the generation of an appropriate name automatically. Name is primarily intended for creation idempotence and configuration definition. Cannot be updated. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/names#names';
const AGE_DESC = 'CreationTimestamp is a timestamp representing the server time when this object was created. It is not guaranteed to be set in happens-before order across separate operations. Clients may not set this value. It is represented in RFC3339 form and is in UTC.\n\nPopulated by the system. Read-only. Null for lists. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#metadata';

const col = (name: string, type: string, description: string, priority = 0, format = ''): ColumnDefinition => ({ name, type, format, description, priority });
const NAME = col('Name', 'string', NAME_DESC, 0, 'name');
const AGE = col('Age', 'string', AGE_DESC);

/** kubectl's duration.HumanDuration, which the server uses for the Age cell. */
export function humanDuration(ms: number): string {
  const seconds = Math.floor(ms / 1000);
  if (seconds < -1) return '<invalid>';
  if (seconds < 0) return '0s';
  if (seconds < 120) return `${seconds}s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 10) {
    const s = seconds % 60;
    return s === 0 ? `${minutes}m` : `${minutes}m${s}s`;
  }
  if (minutes < 180) return `${minutes}m`;
  const hours = Math.floor(minutes / 60);
  if (hours < 8) {
    const m = minutes % 60;
    return m === 0 ? `${hours}h` : `${hours}h${m}m`;
  }
  if (hours < 48) return `${hours}h`;
  if (hours < 24 * 8) {
    const h = hours % 24;
    return h === 0 ? `${Math.floor(hours / 24)}d` : `${Math.floor(hours / 24)}d${h}h`;
  }
  if (hours < 24 * 365 * 2) return `${Math.floor(hours / 24)}d`;
  if (hours < 24 * 365 * 8) {
    const dy = Math.floor(hours / 24) % 365;
    return dy === 0 ? `${Math.floor(hours / 24 / 365)}y` : `${Math.floor(hours / 24 / 365)}y${dy}d`;
  }
  return `${Math.floor(hours / 24 / 365)}y`;
}

function age(o: KubeObject): string {
  const ts = o.metadata.creationTimestamp;
  return ts ? humanDuration(Date.now() - Date.parse(ts)) : '<unknown>';
}

const rec = (v: unknown): Record<string, unknown> => (isPlainObject(v) ? v : {});
const arr = (v: unknown): Record<string, unknown>[] => (Array.isArray(v) ? v.filter(isPlainObject) : []);
const count = (v: unknown): number => Object.keys(rec(v)).length;

const labelSelector = (sel: unknown): string => Object.entries(rec(rec(sel)['matchLabels'])).map(([k, v]) => `${k}=${String(v)}`).join(',');

/** The wide columns of the kinds with a pod template: its containers' names and images. */
const TEMPLATE_COLUMNS = [
  col('Containers', 'string', 'Names of each container in the template.', 1),
  col('Images', 'string', 'Images referenced by each container in the template.', 1),
];

function templateCells(spec: Record<string, unknown>): string[] {
  const containers = arr(rec(rec(spec['template'])['spec'])['containers']);
  return [containers.map((c) => String(c['name'])).join(','), containers.map((c) => String(c['image'])).join(',')];
}

interface Printer {
  columns: ColumnDefinition[];
  cells: (o: KubeObject) => unknown[];
}

const PRINTERS: Record<string, Printer> = {
  Pod: {
    columns: [
      NAME,
      col('Ready', 'string', 'The aggregate readiness state of this pod for accepting traffic.'),
      col('Status', 'string', 'The aggregate status of the containers in this pod.'),
      col('Restarts', 'string', 'The number of times the containers in this pod have been restarted and when the last container in this pod has restarted.'),
      AGE,
      col('IP', 'string', 'podIP address allocated to the pod. Routable at least within the cluster. Empty if not yet allocated.', 1),
      col('Node', 'string', 'NodeName indicates in which node this pod is scheduled.', 1),
      col('Nominated Node', 'string', 'nominatedNodeName is set only when this pod preempts other pods on the node, but it cannot be scheduled right away as preemption victims receive their graceful termination periods.', 1),
      col('Readiness Gates', 'string', 'If specified, all readiness gates will be evaluated for pod readiness.', 1),
    ],
    cells: (o) => {
      const status = rec(o['status']);
      const spec = rec(o['spec']);
      const cs = arr(status['containerStatuses']);
      const total = arr(spec['containers']).length;
      const ready = cs.filter((c) => c['ready'] === true).length;
      const restarts = cs.reduce((n, c) => n + Number(c['restartCount'] ?? 0), 0);
      const phase = o.metadata.deletionTimestamp ? 'Terminating' : String(status['phase'] ?? 'Pending');
      return [o.metadata.name, `${ready}/${total}`, phase, String(restarts), age(o), status['podIP'] ?? '<none>', spec['nodeName'] ?? '<none>', '<none>', '<none>'];
    },
  },
  Secret: {
    columns: [NAME, col('Type', 'string', 'Used to facilitate programmatic handling of secret data. More info: https://kubernetes.io/docs/concepts/configuration/secret/#secret-types'), col('Data', 'string', 'Data contains the secret data. Each key must consist of alphanumeric characters, \'-\', \'_\' or \'.\'. The serialized form of the secret data is a base64 encoded string, representing the arbitrary (possibly non-string) data value here. Described in https://tools.ietf.org/html/rfc4648#section-4'), AGE],
    cells: (o) => [o.metadata.name, o['type'] ?? 'Opaque', count(o['data']), age(o)],
  },
  ConfigMap: {
    columns: [NAME, col('Data', 'string', 'Data contains the configuration data. Each key must consist of alphanumeric characters, \'-\', \'_\' or \'.\'. Values with non-UTF-8 byte sequences must use the BinaryData field. The keys stored in Data must not overlap with the keys in the BinaryData field, this is enforced during validation process.'), AGE],
    cells: (o) => [o.metadata.name, count(o['data']) + count(o['binaryData']), age(o)],
  },
  Namespace: {
    columns: [NAME, col('Status', 'string', 'The status of the namespace'), AGE],
    cells: (o) => [o.metadata.name, rec(o['status'])['phase'] ?? 'Active', age(o)],
  },
  Service: {
    columns: [
      NAME,
      col('Type', 'string', 'type determines how the Service is exposed.'),
      col('Cluster-IP', 'string', 'clusterIP is the IP address of the service and is usually assigned randomly.'),
      col('External-IP', 'string', 'externalIPs is a list of IP addresses for which nodes in the cluster will also accept traffic for this service.'),
      col('Port(s)', 'string', 'The list of ports that are exposed by this service.'),
      AGE,
      col('Selector', 'string', 'Route service traffic to pods with label keys and values matching this selector.', 1),
    ],
    cells: (o) => {
      const spec = rec(o['spec']);
      const ports = arr(spec['ports']).map((p) => `${String(p['port'])}/${String(p['protocol'] ?? 'TCP')}`).join(',');
      const sel = Object.entries(rec(spec['selector'])).map(([k, v]) => `${k}=${String(v)}`).join(',');
      return [o.metadata.name, spec['type'] ?? 'ClusterIP', spec['clusterIP'] ?? '<none>', '<none>', ports || '<none>', age(o), sel || '<none>'];
    },
  },
  Deployment: {
    columns: [
      NAME,
      col('Ready', 'string', 'Number of the pod with ready state'),
      col('Up-to-date', 'integer', 'Total number of non-terminated pods targeted by this deployment that have the desired template spec.'),
      col('Available', 'integer', 'Total number of available pods (ready for at least minReadySeconds) targeted by this deployment.'),
      AGE,
      ...TEMPLATE_COLUMNS,
      col('Selector', 'string', 'Label selector for pods. Existing ReplicaSets whose pods are selected by this will be the ones affected by this deployment.', 1),
    ],
    cells: (o) => {
      const spec = rec(o['spec']);
      const status = rec(o['status']);
      return [
        o.metadata.name,
        `${Number(status['readyReplicas'] ?? 0)}/${Number(spec['replicas'] ?? 0)}`,
        Number(status['updatedReplicas'] ?? 0),
        Number(status['availableReplicas'] ?? 0),
        age(o),
        ...templateCells(spec),
        labelSelector(spec['selector']) || '<none>',
      ];
    },
  },
};

const since = (ts: unknown): string => (typeof ts === 'string' && ts ? humanDuration(Date.now() - Date.parse(ts)) : '<unknown>');

PRINTERS['ReplicaSet'] = {
  columns: [
    NAME,
    col('Desired', 'integer', 'Number of desired pods.'),
    col('Current', 'integer', 'Number of actual pods.'),
    col('Ready', 'integer', 'Number of ready pods.'),
    AGE,
    ...TEMPLATE_COLUMNS,
    col('Selector', 'string', 'Label selector for pods.', 1),
  ],
  cells: (o) => {
    const spec = rec(o['spec']);
    const status = rec(o['status']);
    return [o.metadata.name, Number(spec['replicas'] ?? 0), Number(status['replicas'] ?? 0), Number(status['readyReplicas'] ?? 0), age(o),
      ...templateCells(spec), labelSelector(spec['selector']) || '<none>'];
  },
};

PRINTERS['StatefulSet'] = {
  columns: [
    NAME,
    col('Ready', 'string', 'Number of the pod with ready state'),
    AGE,
    ...TEMPLATE_COLUMNS,
  ],
  cells: (o) => {
    const spec = rec(o['spec']);
    return [o.metadata.name, `${Number(rec(o['status'])['readyReplicas'] ?? 0)}/${Number(spec['replicas'] ?? 0)}`, age(o), ...templateCells(spec)];
  },
};

/** Core v1 and events.k8s.io/v1 events print alike (the server converts both to one internal type). */
PRINTERS['Event'] = {
  columns: [
    col('Last Seen', 'string', 'Time when last Event occurred'),
    col('Type', 'string', 'Type of this event.'),
    col('Reason', 'string', 'Reason why this event was generated.'),
    col('Object', 'string', 'The object this Event is about.'),
    col('Message', 'string', 'A human-readable description of the status of this operation.'),
    col('Subobject', 'string', 'The subobject this Event is about.', 1),
    col('Source', 'string', 'The component reporting this event.', 1),
    col('First Seen', 'string', 'Time when first Event occurred.', 1),
    col('Count', 'string', 'Number of times this event has occurred.', 1),
    col('Name', 'string', NAME_DESC, 1, 'name'),
  ],
  cells: (o) => {
    const about = rec(o['involvedObject'] ?? o['regarding']);
    const source = rec(o['source'] ?? o['deprecatedSource']);
    const component = String(source['component'] ?? o['reportingController'] ?? o['reportingComponent'] ?? '');
    const host = String(source['host'] ?? '');
    const last = o['lastTimestamp'] ?? o['deprecatedLastTimestamp'] ?? o['eventTime'];
    const first = o['firstTimestamp'] ?? o['deprecatedFirstTimestamp'] ?? o['eventTime'];
    return [since(last), o['type'] ?? 'Normal', o['reason'] ?? '', `${String(about['kind'] ?? '').toLowerCase()}/${String(about['name'] ?? '')}`,
      o['message'] ?? o['note'] ?? '', String(about['fieldPath'] ?? ''), host ? `${component}, ${host}` : component, since(first),
      Number(o['count'] ?? o['deprecatedCount'] ?? 1), o.metadata.name];
  },
};

/** The default table convertor the server uses for kinds without a printer. */
const DEFAULT_PRINTER: Printer = {
  columns: [NAME, col('Created At', 'date', AGE_DESC)],
  cells: (o) => [o.metadata.name, o.metadata.creationTimestamp],
};

export function partialObjectMetadata(o: KubeObject, metaVersion = 'v1'): KubeObject {
  return { kind: 'PartialObjectMetadata', apiVersion: `meta.k8s.io/${metaVersion}`, metadata: o.metadata };
}

export interface TableOptions {
  includeObject: IncludeObject;
  noHeaders: boolean;
  metaVersion: string; // v1 or v1beta1
}

export function toTable(r: ResourceDef, objects: KubeObject[], resourceVersion: string | undefined, opts: TableOptions, continueToken?: string): Record<string, unknown> {
  const printer = PRINTERS[r.kind] ?? DEFAULT_PRINTER;
  const metadata: Record<string, string> = {};
  if (resourceVersion !== undefined) metadata['resourceVersion'] = resourceVersion;
  if (continueToken) metadata['continue'] = continueToken;
  return {
    kind: 'Table',
    apiVersion: `meta.k8s.io/${opts.metaVersion}`,
    metadata,
    // With NoHeaders the real server nils the slice, which Go encodes as null.
    columnDefinitions: opts.noHeaders ? null : printer.columns,
    rows: objects.map((o) => {
      const row: Record<string, unknown> = { cells: printer.cells(o) };
      if (opts.includeObject === 'Object') row['object'] = o;
      else if (opts.includeObject === 'Metadata') row['object'] = partialObjectMetadata(o, opts.metaVersion);
      return row;
    }),
  };
}
