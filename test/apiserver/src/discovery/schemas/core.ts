import { Schema, bool, int, kind, obj, ref, refList, refMap, str, strList, strMap } from './dsl';

/** core/v1 kinds the demo cluster serves, with the fields it fills (a subset of the real API, same names and types). */
const V1 = 'io.k8s.api.core.v1';
const META = 'io.k8s.apimachinery.pkg.apis.meta.v1';
const TIME = `${META}.Time`;

export const CORE_SCHEMAS: Record<string, Schema> = {
  [`${V1}.Pod`]: kind('', 'v1', 'Pod', 'Pod is a collection of containers that can run on a host. This resource is created by clients and scheduled onto hosts.', {
    spec: ref(`${V1}.PodSpec`, 'Specification of the desired behavior of the pod.'),
    status: ref(`${V1}.PodStatus`, 'Most recently observed status of the pod. This data may not be up to date. Populated by the system. Read-only.'),
  }),
  [`${V1}.PodTemplateSpec`]: obj('PodTemplateSpec describes the data a pod should have when created from a template', {
    metadata: ref(`${META}.ObjectMeta`, "Standard object's metadata."),
    spec: ref(`${V1}.PodSpec`, 'Specification of the desired behavior of the pod.'),
  }),
  [`${V1}.PodSpec`]: obj('PodSpec is a description of a pod.', {
    containers: refList(`${V1}.Container`, 'List of containers belonging to the pod. Containers cannot currently be added or removed. There must be at least one container in a Pod. Cannot be updated.', 'name'),
    dnsPolicy: str('Set DNS policy for the pod. Defaults to "ClusterFirst". Valid values are \'ClusterFirstWithHostNet\', \'ClusterFirst\', \'Default\' or \'None\'.'),
    initContainers: refList(`${V1}.Container`, 'List of initialization containers belonging to the pod. Init containers are executed in order prior to containers being started.', 'name'),
    nodeName: str('NodeName indicates in which node this pod is scheduled. If empty, this pod is a candidate for scheduling by the scheduler defined in schedulerName.'),
    nodeSelector: strMap("NodeSelector is a selector which must be true for the pod to fit on a node. Selector which must match a node's labels for the pod to be scheduled on that node."),
    restartPolicy: str('Restart policy for all containers within the pod. One of Always, OnFailure, Never. Default to Always.'),
    schedulerName: str('If specified, the pod will be dispatched by specified scheduler. If not specified, the pod will be dispatched by default scheduler.'),
    securityContext: ref(`${V1}.PodSecurityContext`, 'SecurityContext holds pod-level security attributes and common container settings. Optional: Defaults to empty.'),
    serviceAccountName: str('ServiceAccountName is the name of the ServiceAccount to use to run this pod.'),
    terminationGracePeriodSeconds: int('Optional duration in seconds the pod needs to terminate gracefully. Defaults to 30 seconds.', 'int64'),
  }, ['containers']),
  [`${V1}.PodSecurityContext`]: obj('PodSecurityContext holds pod-level security attributes and common container settings.', {
    fsGroup: int('A special supplemental group that applies to all containers in a pod.', 'int64'),
    runAsGroup: int('The GID to run the entrypoint of the container process.', 'int64'),
    runAsNonRoot: bool('Indicates that the container must run as a non-root user.'),
    runAsUser: int('The UID to run the entrypoint of the container process. Defaults to user specified in image metadata if unspecified.', 'int64'),
  }),
  [`${V1}.Container`]: obj('A single application container that you want to run within a pod.', {
    args: strList("Arguments to the entrypoint. The container image's CMD is used if this is not provided. Cannot be updated."),
    command: strList("Entrypoint array. Not executed within a shell. The container image's ENTRYPOINT is used if this is not provided. Cannot be updated."),
    env: refList(`${V1}.EnvVar`, 'List of environment variables to set in the container. Cannot be updated.', 'name'),
    image: str('Container image name.'),
    imagePullPolicy: str('Image pull policy. One of Always, Never, IfNotPresent. Defaults to Always if :latest tag is specified, or IfNotPresent otherwise. Cannot be updated.'),
    name: str('Name of the container specified as a DNS_LABEL. Each container in a pod must have a unique name (DNS_LABEL). Cannot be updated.'),
    ports: { ...refList(`${V1}.ContainerPort`, 'List of ports to expose from the container.', 'containerPort'), 'x-kubernetes-list-map-keys': ['containerPort', 'protocol'] },
    resources: ref(`${V1}.ResourceRequirements`, 'Compute Resources required by this container. Cannot be updated.'),
    terminationMessagePath: str("Optional: Path at which the file to which the container's termination message will be written is mounted into the container's filesystem. Defaults to /dev/termination-log. Cannot be updated."),
    terminationMessagePolicy: str('Indicate how the termination message should be populated. File will use the contents of terminationMessagePath. Defaults to File. Cannot be updated.'),
    workingDir: str("Container's working directory. If not specified, the container runtime's default will be used. Cannot be updated."),
  }, ['name']),
  [`${V1}.ContainerPort`]: obj('ContainerPort represents a network port in a single container.', {
    containerPort: int("Number of port to expose on the pod's IP address. This must be a valid port number, 0 < x < 65536."),
    name: str('If specified, this must be an IANA_SVC_NAME and unique within the pod. Each named port in a pod must have a unique name.'),
    protocol: str('Protocol for port. Must be UDP, TCP, or SCTP. Defaults to "TCP".'),
  }, ['containerPort']),
  [`${V1}.EnvVar`]: obj('EnvVar represents an environment variable present in a Container.', {
    name: str('Name of the environment variable.'),
    value: str('Variable references $(VAR_NAME) are expanded using the previously defined environment variables in the container and any service environment variables. Defaults to "".'),
  }, ['name']),
  [`${V1}.ResourceRequirements`]: obj('ResourceRequirements describes the compute resource requirements.', {
    limits: refMap('io.k8s.apimachinery.pkg.api.resource.Quantity', 'Limits describes the maximum amount of compute resources allowed.'),
    requests: refMap('io.k8s.apimachinery.pkg.api.resource.Quantity', 'Requests describes the minimum amount of compute resources required. If Requests is omitted for a container, it defaults to Limits if that is explicitly specified.'),
  }),
  [`${V1}.PodStatus`]: obj('PodStatus represents information about the status of a pod. Status may trail the actual state of a system.', {
    conditions: refList(`${V1}.PodCondition`, 'Current service state of pod.', 'type'),
    containerStatuses: refList(`${V1}.ContainerStatus`, 'Statuses of containers in this pod. Each container in the pod should have at most one status in this list.'),
    hostIP: str('hostIP holds the IP address of the host to which the pod is assigned. Empty if the pod has not started yet.'),
    phase: str('The phase of a Pod is a simple, high-level summary of where the Pod is in its lifecycle: Pending, Running, Succeeded, Failed or Unknown.'),
    podIP: str('podIP address allocated to the pod. Routable at least within the cluster. Empty if not yet allocated.'),
    qosClass: str('The Quality of Service (QOS) classification assigned to the pod based on resource requirements: Guaranteed, Burstable or BestEffort.'),
    startTime: ref(TIME, 'RFC 3339 date and time at which the object was acknowledged by the Kubelet. This is before the Kubelet pulled the container image(s) for the pod.'),
  }),
  [`${V1}.PodCondition`]: obj('PodCondition contains details for the current condition of this pod.', {
    lastProbeTime: ref(TIME, 'Last time we probed the condition.'),
    lastTransitionTime: ref(TIME, 'Last time the condition transitioned from one status to another.'),
    message: str('Human-readable message indicating details about last transition.'),
    reason: str("Unique, one-word, CamelCase reason for the condition's last transition."),
    status: str('Status is the status of the condition. Can be True, False, Unknown.'),
    type: str('Type is the type of the condition: PodScheduled, Initialized, ContainersReady or Ready.'),
  }, ['type', 'status']),
  [`${V1}.ContainerStatus`]: obj('ContainerStatus contains details for the current status of this container.', {
    containerID: str("ContainerID is the ID of the container in the format '<type>://<container_id>'."),
    image: str('Image is the name of container image that the container is running.'),
    imageID: str("ImageID is the image ID of the container's image."),
    lastState: ref(`${V1}.ContainerState`, "LastTerminationState holds the last termination state of the container to help debug container crashes and restarts."),
    name: str('Name is a DNS_LABEL representing the unique name of the container. Each container in a pod must have a unique name across all container types. Cannot be updated.'),
    ready: bool('Ready specifies whether the container is currently passing its readiness check.'),
    restartCount: int('RestartCount holds the number of times the container has been restarted.'),
    started: bool('Started indicates whether the container has finished its postStart lifecycle hook and passed its startup probe.'),
    state: ref(`${V1}.ContainerState`, 'State holds details about the container\'s current condition.'),
  }, ['name', 'ready', 'restartCount', 'image', 'imageID']),
  [`${V1}.ContainerState`]: obj('ContainerState holds a possible state of container. Only one of its members may be specified. If none of them is specified, the default one is ContainerStateWaiting.', {
    running: ref(`${V1}.ContainerStateRunning`, 'Details about a running container'),
    terminated: ref(`${V1}.ContainerStateTerminated`, 'Details about a terminated container'),
    waiting: ref(`${V1}.ContainerStateWaiting`, 'Details about a waiting container'),
  }),
  [`${V1}.ContainerStateRunning`]: obj('ContainerStateRunning is a running state of a container.', {
    startedAt: ref(TIME, 'Time at which the container was last (re-)started'),
  }),
  [`${V1}.ContainerStateWaiting`]: obj('ContainerStateWaiting is a waiting state of a container.', {
    message: str('Message regarding why the container is not yet running.'),
    reason: str('(brief) reason the container is not yet running.'),
  }),
  [`${V1}.ContainerStateTerminated`]: obj('ContainerStateTerminated is a terminated state of a container.', {
    exitCode: int('Exit status from the last termination of the container'),
    finishedAt: ref(TIME, 'Time at which the container last terminated'),
    reason: str('(brief) reason from the last termination of the container'),
    startedAt: ref(TIME, 'Time at which previous execution of the container started'),
  }, ['exitCode']),
  [`${V1}.Namespace`]: kind('', 'v1', 'Namespace', 'Namespace provides a scope for Names. Use of multiple namespaces is optional.', {
    spec: obj('Spec defines the behavior of the Namespace.', { finalizers: strList('Finalizers is an opaque list of values that must be empty to permanently remove object from storage.') }),
    status: obj('Status describes the current status of a Namespace.', { phase: str('Phase is the current lifecycle phase of the namespace: Active or Terminating.') }),
  }),
  [`${V1}.Secret`]: kind('', 'v1', 'Secret', 'Secret holds secret data of a certain type. The total bytes of the values in the Data field must be less than MaxSecretSize bytes.', {
    data: { type: 'object', additionalProperties: { type: 'string', format: 'byte' }, description: "Data contains the secret data. Each key must consist of alphanumeric characters, '-', '_' or '.'. The serialized form of the secret data is a base64 encoded string." },
    immutable: bool('Immutable, if set to true, ensures that data stored in the Secret cannot be updated (only object metadata can be modified).'),
    stringData: strMap('stringData allows specifying non-binary secret data in string form. It is provided as a write-only input field for convenience. All keys and values are merged into the data field on write.'),
    type: str('Used to facilitate programmatic handling of secret data.'),
  }),
  [`${V1}.ConfigMap`]: kind('', 'v1', 'ConfigMap', 'ConfigMap holds configuration data for pods to consume.', {
    binaryData: { type: 'object', additionalProperties: { type: 'string', format: 'byte' }, description: 'BinaryData contains the binary data. Each key must consist of alphanumeric characters, \'-\', \'_\' or \'.\'.' },
    data: strMap("Data contains the configuration data. Each key must consist of alphanumeric characters, '-', '_' or '.'."),
    immutable: bool('Immutable, if set to true, ensures that data stored in the ConfigMap cannot be updated (only object metadata can be modified).'),
  }),
  [`${V1}.Service`]: kind('', 'v1', 'Service', 'Service is a named abstraction of software service (for example, mysql) consisting of local port (for example 3306) that the proxy listens on, and the selector that determines which pods will answer requests sent through the proxy.', {
    spec: ref(`${V1}.ServiceSpec`, 'Spec defines the behavior of a service.'),
    status: obj('Most recently observed status of the service. Populated by the system. Read-only.', { loadBalancer: { type: 'object', description: 'LoadBalancer contains the current status of the load-balancer, if one is present.' } }),
  }),
  [`${V1}.ServiceSpec`]: obj('ServiceSpec describes the attributes that a user creates on a service.', {
    clusterIP: str('clusterIP is the IP address of the service and is usually assigned randomly.'),
    clusterIPs: strList('ClusterIPs is a list of IP addresses assigned to this service, and are usually assigned randomly.'),
    ports: { ...refList(`${V1}.ServicePort`, 'The list of ports that are exposed by this service.', 'port'), 'x-kubernetes-list-map-keys': ['port', 'protocol'] },
    selector: strMap('Route service traffic to pods with label keys and values matching this selector.'),
    sessionAffinity: str('Supports "ClientIP" and "None". Used to maintain session affinity. Defaults to None.'),
    type: str('type determines how the Service is exposed. Defaults to ClusterIP. Valid options are ExternalName, ClusterIP, NodePort, and LoadBalancer.'),
  }),
  [`${V1}.ServicePort`]: obj("ServicePort contains information on service's port.", {
    name: str('The name of this port within the service. This must be a DNS_LABEL.'),
    port: int('The port that will be exposed by this service.'),
    protocol: str('The IP protocol for this port. Supports "TCP", "UDP", and "SCTP". Default is TCP.'),
    targetPort: ref('io.k8s.apimachinery.pkg.util.intstr.IntOrString', "Number or name of the port to access on the pods targeted by the service. If this is a string, it will be looked up as a named port in the target Pod's container ports."),
  }, ['port']),
  [`${V1}.Event`]: kind('', 'v1', 'Event', 'Event is a report of an event somewhere in the cluster. Events have a limited retention time and triggers and messages may evolve with time.', {
    count: int('The number of times this event has occurred.'),
    eventTime: ref(`${META}.MicroTime`, 'Time when this Event was first observed.'),
    firstTimestamp: ref(TIME, 'The time at which the event was first recorded. (Time of server receipt is in TypeMeta.)'),
    involvedObject: ref(`${V1}.ObjectReference`, 'The object that this event is about.'),
    lastTimestamp: ref(TIME, 'The time at which the most recent occurrence of this event was recorded.'),
    message: str('A human-readable description of the status of this operation.'),
    reason: str("This should be a short, machine understandable string that gives the reason for the transition into the object's current status."),
    reportingComponent: str('Name of the controller that emitted this Event, e.g. `kubernetes.io/kubelet`.'),
    reportingInstance: str('ID of the controller instance, e.g. `kubelet-xyzf`.'),
    source: ref(`${V1}.EventSource`, 'The component reporting this event. Should be a short machine understandable string.'),
    type: str('Type of this event (Normal, Warning), new types could be added in the future'),
  }),
  [`${V1}.ObjectReference`]: obj('ObjectReference contains enough information to let you inspect or modify the referred object.', {
    apiVersion: str('API version of the referent.'),
    fieldPath: str('If referring to a piece of an object instead of an entire object, this string should contain a valid JSON/Go field access statement, such as desiredState.manifest.containers[2].'),
    kind: str('Kind of the referent.'),
    name: str('Name of the referent.'),
    namespace: str('Namespace of the referent.'),
    resourceVersion: str('Specific resourceVersion to which this reference is made, if any.'),
    uid: str('UID of the referent.'),
  }),
  [`${V1}.EventSource`]: obj('EventSource contains information for an event.', {
    component: str('Component from which the event is generated.'),
    host: str('Node name on which the event is generated.'),
  }),
};
