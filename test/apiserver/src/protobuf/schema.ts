/**
 * Field numbers of the Kubernetes protobuf messages kubectl's `create <generator>` commands send
 * (they post application/vnd.kubernetes.protobuf). From k8s.io/api generated.proto; fields a schema
 * does not list are skipped.
 */
export type Scalar = 'string' | 'bytes' | 'int' | 'bool' | 'time' | 'intstr' | 'quantity';
export type FieldType = Scalar | { msg: Schema } | { map: Scalar | { msg: Schema } };
export interface FieldDef {
  name: string;
  type: FieldType;
  repeated?: boolean;
  /** Pointer fields: keep the value even when it is the zero value (replicas: 0). */
  keep?: boolean;
}
export type Schema = Record<number, FieldDef>;

const s = (name: string, repeated = false): FieldDef => ({ name, type: 'string', repeated });
const i = (name: string, keep = false): FieldDef => ({ name, type: 'int', keep });
const b = (name: string, keep = false): FieldDef => ({ name, type: 'bool', keep });
const m = (name: string, msg: Schema, extra: Partial<FieldDef> = {}): FieldDef => ({ name, type: { msg }, ...extra });
const map = (name: string, value: Scalar | { msg: Schema } = 'string'): FieldDef => ({ name, type: { map: value } });

export const OBJECT_META: Schema = {
  1: s('name'), 2: s('generateName'), 3: s('namespace'), 4: s('selfLink'), 5: s('uid'), 6: s('resourceVersion'),
  7: i('generation'), 8: { name: 'creationTimestamp', type: 'time' }, 9: { name: 'deletionTimestamp', type: 'time' },
  10: i('deletionGracePeriodSeconds', true), 11: map('labels'), 12: map('annotations'),
  13: m('ownerReferences', { 1: s('kind'), 3: s('name'), 4: s('uid'), 5: s('apiVersion'), 6: b('controller', true), 7: b('blockOwnerDeletion', true) }, { repeated: true }),
  14: s('finalizers', true),
};

const LABEL_SELECTOR: Schema = {
  1: map('matchLabels'),
  2: m('matchExpressions', { 1: s('key'), 2: s('operator'), 3: s('values', true) }, { repeated: true }),
};

const CONTAINER_PORT: Schema = { 1: s('name'), 2: i('hostPort'), 3: i('containerPort'), 4: s('protocol'), 5: s('hostIP') };
const ENV_VAR: Schema = { 1: s('name'), 2: s('value') };
const RESOURCES: Schema = { 1: map('limits', 'quantity'), 2: map('requests', 'quantity') };
const VOLUME_MOUNT: Schema = { 1: s('name'), 2: b('readOnly'), 3: s('mountPath'), 4: s('subPath') };

const CONTAINER: Schema = {
  1: s('name'), 2: s('image'), 3: s('command', true), 4: s('args', true), 5: s('workingDir'),
  6: m('ports', CONTAINER_PORT, { repeated: true }), 7: m('env', ENV_VAR, { repeated: true }),
  8: m('resources', RESOURCES, { keep: true }), 9: m('volumeMounts', VOLUME_MOUNT, { repeated: true }),
  13: s('terminationMessagePath'), 14: s('imagePullPolicy'), 16: b('stdin'), 17: b('stdinOnce'), 18: b('tty'),
  20: s('terminationMessagePolicy'),
};

const POD_SPEC: Schema = {
  2: m('containers', CONTAINER, { repeated: true }), 3: s('restartPolicy'), 4: i('terminationGracePeriodSeconds', true),
  5: i('activeDeadlineSeconds', true), 6: s('dnsPolicy'), 7: map('nodeSelector'), 8: s('serviceAccountName'),
  10: s('nodeName'), 11: b('hostNetwork'), 12: b('hostPID'), 13: b('hostIPC'),
  15: m('imagePullSecrets', { 1: s('name') }, { repeated: true }), 16: s('hostname'), 17: s('subdomain'),
  19: s('schedulerName'), 20: m('initContainers', CONTAINER, { repeated: true }),
};

const POD_TEMPLATE_SPEC: Schema = { 1: m('metadata', OBJECT_META, { keep: true }), 2: m('spec', POD_SPEC) };

const DEPLOYMENT_SPEC: Schema = {
  1: i('replicas', true), 2: m('selector', LABEL_SELECTOR), 3: m('template', POD_TEMPLATE_SPEC, { keep: true }),
  4: m('strategy', { 1: s('type'), 2: m('rollingUpdate', { 1: { name: 'maxUnavailable', type: 'intstr' }, 2: { name: 'maxSurge', type: 'intstr' } }) }, { keep: true }),
  5: i('minReadySeconds'), 6: i('revisionHistoryLimit', true), 7: b('paused'), 9: i('progressDeadlineSeconds', true),
};

const SERVICE_PORT: Schema = { 1: s('name'), 2: s('protocol'), 3: i('port'), 4: { name: 'targetPort', type: 'intstr' }, 5: i('nodePort'), 6: s('appProtocol') };
const SERVICE_SPEC: Schema = {
  1: m('ports', SERVICE_PORT, { repeated: true }), 2: map('selector'), 3: s('clusterIP'), 4: s('type'),
  5: s('externalIPs', true), 7: s('sessionAffinity'), 8: s('loadBalancerIP'), 10: s('externalName'),
  11: s('externalTrafficPolicy'), 18: s('clusterIPs', true),
};

const META = m('metadata', OBJECT_META, { keep: true });

/** Top-level schemas by kind (the envelope names the kind). Status is not decoded: servers reset it on create. */
export const KIND_SCHEMAS: Record<string, Schema> = {
  ConfigMap: { 1: META, 2: map('data'), 3: map('binaryData', 'bytes'), 4: b('immutable', true) },
  Secret: { 1: META, 2: map('data', 'bytes'), 3: s('type'), 4: map('stringData'), 5: b('immutable', true) },
  Namespace: { 1: META, 2: m('spec', { 1: s('finalizers', true) }) },
  Pod: { 1: META, 2: m('spec', POD_SPEC) },
  Service: { 1: META, 2: m('spec', SERVICE_SPEC) },
  Deployment: { 1: META, 2: m('spec', DEPLOYMENT_SPEC) },
};
