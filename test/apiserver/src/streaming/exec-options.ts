import { ContainerInfo } from '../runtime/process';
import { qualifiedName } from '../resources';
import { ResourcePath } from '../router';
import { badRequest, notFound } from '../status';
import { Store } from '../store';
import { KubeObject, isPlainObject } from '../types';

/**
 * PodExecOptions / PodAttachOptions from the query, and the pod and container they address,
 * checked as the API server checks them before it upgrades (pods "x" not found: 404; a missing
 * or unknown container: 400).
 */
export interface RemoteCommandOptions {
  command: string[];
  container: string;
  stdin: boolean;
  stdout: boolean;
  stderr: boolean;
  tty: boolean;
}

/** Query booleans as the API server converts them: absent, "0" or "false" is false, anything else true. */
function flag(q: URLSearchParams, name: string): boolean {
  const v = q.get(name);
  return v !== null && v !== '0' && v.toLowerCase() !== 'false';
}

function containersOf(pod: KubeObject): { name: string; image: string }[] {
  const spec = isPlainObject(pod['spec']) ? pod['spec'] : {};
  const list = Array.isArray(spec['containers']) ? spec['containers'] : [];
  return list.filter(isPlainObject).map((c) => ({ name: String(c['name']), image: String(c['image'] ?? '') }));
}

export function findPod(store: Store, p: ResourcePath): KubeObject {
  const name = p.name ?? '';
  const pod = store.get(p.resource, p.namespace, name);
  if (!pod) throw notFound(qualifiedName(p.resource), name, p.resource.group, p.resource.resource);
  const spec = isPlainObject(pod['spec']) ? pod['spec'] : {};
  if (!spec['nodeName']) throw badRequest(`pod ${name} does not have a host assigned`);
  return pod;
}

export function resolveContainer(pod: KubeObject, requested: string): ContainerInfo {
  const name = pod.metadata.name ?? '';
  const containers = containersOf(pod);
  let chosen = containers.find((c) => c.name === requested);
  if (!requested) {
    if (containers.length === 0) throw badRequest(`a container name must be specified for pod ${name}`);
    if (containers.length > 1) throw badRequest(`a container name must be specified for pod ${name}, choose one of: [${containers.map((c) => c.name).join(' ')}]`);
    chosen = containers[0];
  }
  if (!chosen) throw badRequest(`container ${requested} is not valid for pod ${name}`);
  return { namespace: pod.metadata.namespace ?? '', pod: name, container: chosen.name, image: chosen.image };
}

/** The options and the container they address (defaulted when the pod has only one). */
export function parseRemoteCommandOptions(q: URLSearchParams, pod: KubeObject): { options: RemoteCommandOptions; container: ContainerInfo } {
  const container = resolveContainer(pod, q.get('container') ?? '');
  const options = {
    command: q.getAll('command'),
    container: container.container,
    stdin: flag(q, 'stdin'),
    stdout: flag(q, 'stdout'),
    stderr: flag(q, 'stderr'),
    tty: flag(q, 'tty'),
  };
  return { options, container };
}
