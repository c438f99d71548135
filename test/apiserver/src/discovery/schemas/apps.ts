import { Schema, bool, int, kind, obj, ref, refList, str } from './dsl';

/** apps/v1 and events.k8s.io/v1 kinds the demo cluster serves (a subset of the real fields, same names and types). */
const APPS = 'io.k8s.api.apps.v1';
const META = 'io.k8s.apimachinery.pkg.apis.meta.v1';
const TIME = `${META}.Time`;
const SELECTOR = ref(`${META}.LabelSelector`, "Label selector for pods. It must match the pod template's labels.");
const TEMPLATE = ref('io.k8s.api.core.v1.PodTemplateSpec', 'Template describes the pods that will be created.');
const REPLICAS = (what: string) => int(`Number of desired pods. This is a pointer to distinguish between explicit zero and not specified. Defaults to 1.${what}`);
const MIN_READY = int('Minimum number of seconds for which a newly created pod should be ready without any of its container crashing, for it to be considered available. Defaults to 0 (pod will be considered available as soon as it is ready)');

function condition(owner: string, extra: Record<string, Schema> = {}): Schema {
  return obj(`${owner}Condition describes the state of a ${owner.toLowerCase()} at a certain point.`, {
    lastTransitionTime: ref(TIME, 'Last time the condition transitioned from one status to another.'),
    message: str('A human readable message indicating details about the transition.'),
    reason: str("The reason for the condition's last transition."),
    status: str('Status of the condition, one of True, False, Unknown.'),
    type: str(`Type of ${owner.toLowerCase()} condition.`),
    ...extra,
  }, ['type', 'status']);
}

const observed = int('The generation observed by the controller.', 'int64');
const conditions = (owner: string) => refList(`${APPS}.${owner}Condition`, `Represents the latest available observations of a ${owner.toLowerCase()}'s current state.`, 'type');

export const APPS_SCHEMAS: Record<string, Schema> = {
  [`${APPS}.Deployment`]: kind('apps', 'v1', 'Deployment', 'Deployment enables declarative updates for Pods and ReplicaSets.', {
    spec: ref(`${APPS}.DeploymentSpec`, 'Specification of the desired behavior of the Deployment.'),
    status: ref(`${APPS}.DeploymentStatus`, 'Most recently observed status of the Deployment.'),
  }),
  [`${APPS}.DeploymentSpec`]: obj('DeploymentSpec is the specification of the desired behavior of the Deployment.', {
    minReadySeconds: MIN_READY,
    paused: bool('Indicates that the deployment is paused.'),
    progressDeadlineSeconds: int('The maximum time in seconds for a deployment to make progress before it is considered to be failed. Defaults to 600s.'),
    replicas: REPLICAS(''),
    revisionHistoryLimit: int('The number of old ReplicaSets to retain to allow rollback. This is a pointer to distinguish between explicit zero and not specified. Defaults to 10.'),
    selector: { ...SELECTOR, description: "Label selector for pods. Existing ReplicaSets whose pods are selected by this will be the ones affected by this deployment. It must match the pod template's labels." },
    strategy: ref(`${APPS}.DeploymentStrategy`, 'The deployment strategy to use to replace existing pods with new ones.'),
    template: { ...TEMPLATE, description: 'Template describes the pods that will be created. The only allowed template.spec.restartPolicy value is "Always".' },
  }, ['selector', 'template']),
  [`${APPS}.DeploymentStrategy`]: obj('DeploymentStrategy describes how to replace existing pods with new ones.', {
    rollingUpdate: ref(`${APPS}.RollingUpdateDeployment`, 'Rolling update config params. Present only if DeploymentStrategyType = RollingUpdate.'),
    type: str('Type of deployment. Can be "Recreate" or "RollingUpdate". Default is RollingUpdate.'),
  }),
  [`${APPS}.RollingUpdateDeployment`]: obj('Spec to control the desired behavior of rolling update.', {
    maxSurge: ref('io.k8s.apimachinery.pkg.util.intstr.IntOrString', 'The maximum number of pods that can be scheduled above the desired number of pods. Value can be an absolute number (ex: 5) or a percentage of desired pods (ex: 10%). Defaults to 25%.'),
    maxUnavailable: ref('io.k8s.apimachinery.pkg.util.intstr.IntOrString', 'The maximum number of pods that can be unavailable during the update. Value can be an absolute number (ex: 5) or a percentage of desired pods (ex: 10%). Defaults to 25%.'),
  }),
  [`${APPS}.DeploymentStatus`]: obj('DeploymentStatus is the most recently observed status of the Deployment.', {
    availableReplicas: int('Total number of available pods (ready for at least minReadySeconds) targeted by this deployment.'),
    conditions: conditions('Deployment'),
    observedGeneration: observed,
    readyReplicas: int('readyReplicas is the number of pods targeted by this Deployment with a Ready Condition.'),
    replicas: int('Total number of non-terminated pods targeted by this deployment (their labels match the selector).'),
    updatedReplicas: int('Total number of non-terminated pods targeted by this deployment that have the desired template spec.'),
  }),
  [`${APPS}.DeploymentCondition`]: condition('Deployment', { lastUpdateTime: ref(TIME, 'The last time this condition was updated.') }),
  [`${APPS}.ReplicaSet`]: kind('apps', 'v1', 'ReplicaSet', 'ReplicaSet ensures that a specified number of pod replicas are running at any given time.', {
    spec: ref(`${APPS}.ReplicaSetSpec`, 'Spec defines the specification of the desired behavior of the ReplicaSet.'),
    status: ref(`${APPS}.ReplicaSetStatus`, 'Status is the most recently observed status of the ReplicaSet. Populated by the system. Read-only.'),
  }),
  [`${APPS}.ReplicaSetSpec`]: obj('ReplicaSetSpec is the specification of a ReplicaSet.', {
    minReadySeconds: MIN_READY,
    replicas: REPLICAS(''),
    selector: { ...SELECTOR, description: 'Selector is a label query over pods that should match the replica count. Label keys and values that must match in order to be controlled by this replica set.' },
    template: { ...TEMPLATE, description: 'Template is the object that describes the pod that will be created if insufficient replicas are detected.' },
  }, ['selector']),
  [`${APPS}.ReplicaSetStatus`]: obj('ReplicaSetStatus represents the current status of a ReplicaSet.', {
    availableReplicas: int('The number of available non-terminating pods (ready for at least minReadySeconds) for this replica set.'),
    conditions: conditions('ReplicaSet'),
    fullyLabeledReplicas: int('The number of non-terminating pods that have labels matching the labels of the pod template of the replicaset.'),
    observedGeneration: { ...observed, description: 'ObservedGeneration reflects the generation of the most recently observed ReplicaSet.' },
    readyReplicas: int('The number of non-terminating pods targeted by this ReplicaSet with a Ready Condition.'),
    replicas: int('Replicas is the most recently observed number of non-terminating pods.'),
  }, ['replicas']),
  [`${APPS}.ReplicaSetCondition`]: condition('ReplicaSet'),
  [`${APPS}.StatefulSet`]: kind('apps', 'v1', 'StatefulSet', 'StatefulSet represents a set of pods with consistent identities. Identities are defined as network (a single stable DNS and hostname) and storage (as many VolumeClaims as requested). The StatefulSet guarantees that a given network identity will always map to the same storage identity.', {
    spec: ref(`${APPS}.StatefulSetSpec`, 'Spec defines the desired identities of pods in this set.'),
    status: ref(`${APPS}.StatefulSetStatus`, 'Status is the current status of Pods in this StatefulSet. This data may be out of date by some window of time.'),
  }),
  [`${APPS}.StatefulSetSpec`]: obj('A StatefulSetSpec is the specification of a StatefulSet.', {
    minReadySeconds: MIN_READY,
    podManagementPolicy: str('podManagementPolicy controls how pods are created during initial scale up, when replacing pods on nodes, or when scaling down: OrderedReady (the default) or Parallel.'),
    replicas: REPLICAS(' The StatefulSet controller names its pods <statefulset name>-<ordinal>, from 0.'),
    revisionHistoryLimit: int("revisionHistoryLimit is the maximum number of revisions that will be maintained in the StatefulSet's revision history. Defaults to 10."),
    selector: { ...SELECTOR, description: 'selector is a label query over pods that should match the replica count. It must match the pod template\'s labels.' },
    serviceName: str('serviceName is the name of the service that governs this StatefulSet. Pods get DNS/hostnames that follow the pattern: pod-specific-string.serviceName.default.svc.cluster.local.'),
    template: { ...TEMPLATE, description: 'template is the object that describes the pod that will be created if insufficient replicas are detected. Each pod stamped out by the StatefulSet will fulfill this Template, but have a unique identity from the rest of the StatefulSet.' },
    updateStrategy: ref(`${APPS}.StatefulSetUpdateStrategy`, 'updateStrategy indicates the StatefulSetUpdateStrategy that will be employed to update Pods in the StatefulSet when a revision is made to Template.'),
  }, ['selector', 'template']),
  [`${APPS}.StatefulSetUpdateStrategy`]: obj('StatefulSetUpdateStrategy indicates the strategy that the StatefulSet controller will use to perform updates.', {
    rollingUpdate: obj('RollingUpdate is used to communicate parameters when Type is RollingUpdateStatefulSetStrategyType.', { partition: int('Partition indicates the ordinal at which the StatefulSet should be partitioned for updates. Default value is 0.') }),
    type: str('Type indicates the type of the StatefulSetUpdateStrategy: RollingUpdate (the default) or OnDelete.'),
  }),
  [`${APPS}.StatefulSetStatus`]: obj('StatefulSetStatus represents the current state of a StatefulSet.', {
    availableReplicas: int('Total number of available pods (ready for at least minReadySeconds) targeted by this statefulset.'),
    collisionCount: int('collisionCount is the count of hash collisions for the StatefulSet.'),
    conditions: conditions('StatefulSet'),
    currentReplicas: int('currentReplicas is the number of Pods created by the StatefulSet controller from the StatefulSet version indicated by currentRevision.'),
    currentRevision: str('currentRevision, if not empty, indicates the version of the StatefulSet used to generate Pods in the sequence [0,currentReplicas).'),
    observedGeneration: { ...observed, description: "observedGeneration is the most recent generation observed for this StatefulSet. It corresponds to the StatefulSet's generation." },
    readyReplicas: int('readyReplicas is the number of pods created for this StatefulSet with a Ready Condition.'),
    replicas: int('replicas is the number of Pods created by the StatefulSet controller.'),
    updateRevision: str('updateRevision, if not empty, indicates the version of the StatefulSet used to generate Pods in the sequence [replicas-updatedReplicas,replicas)'),
    updatedReplicas: int('updatedReplicas is the number of Pods created by the StatefulSet controller from the StatefulSet version indicated by updateRevision.'),
  }, ['replicas']),
  [`${APPS}.StatefulSetCondition`]: condition('StatefulSet'),
  'io.k8s.api.events.v1.Event': kind('events.k8s.io', 'v1', 'Event', 'Event is a report of an event somewhere in the cluster. It generally denotes some state change in the system. Events have a limited retention time and triggers and messages may evolve with time.', {
    action: str('action is what action was taken/failed regarding to the regarding object.'),
    deprecatedCount: int('deprecatedCount is the deprecated field assuring backward compatibility with core.v1 Event type.'),
    deprecatedFirstTimestamp: ref(TIME, 'deprecatedFirstTimestamp is the deprecated field assuring backward compatibility with core.v1 Event type.'),
    deprecatedLastTimestamp: ref(TIME, 'deprecatedLastTimestamp is the deprecated field assuring backward compatibility with core.v1 Event type.'),
    deprecatedSource: ref('io.k8s.api.core.v1.EventSource', 'deprecatedSource is the deprecated field assuring backward compatibility with core.v1 Event type.'),
    eventTime: ref(`${META}.MicroTime`, 'eventTime is the time when this Event was first observed. It is required.'),
    note: str('note is a human-readable description of the status of this operation.'),
    reason: str('reason is why the action was taken. It is human-readable.'),
    regarding: ref('io.k8s.api.core.v1.ObjectReference', 'regarding contains the object this Event is about.'),
    related: ref('io.k8s.api.core.v1.ObjectReference', 'related is the optional secondary object for more complex actions.'),
    reportingController: str('reportingController is the name of the controller that emitted this Event, e.g. `kubernetes.io/kubelet`.'),
    reportingInstance: str('reportingInstance is the ID of the controller instance, e.g. `kubelet-xyzf`.'),
    type: str('type is the type of this event (Normal, Warning), new types could be added in the future. It is machine-readable.'),
  }),
};
