import { badRequest } from '../status';
import { KubeObject, isPlainObject } from '../types';

/**
 * Ports for port-forward. Over the channel protocol they come from the query (`ports=8080,9090`,
 * which the API server hands the kubelet as `port`, hence the kubelet's wording in errors); over
 * SPDY each stream names its port in a header.
 */
export function parsePort(value: string): number {
  if (!/^\d+$/.test(value) || Number(value) > 65535) throw badRequest(`unable to parse "${value}" as a port: strconv.ParseUint: parsing "${value}": invalid syntax`);
  const port = Number(value);
  if (port < 1) throw badRequest(`port "${value}" must be > 0`);
  return port;
}

export function parsePortsQuery(q: URLSearchParams): number[] {
  const values = q.getAll('ports');
  if (values.length === 0) throw badRequest('query parameter "port" is required');
  return values.flatMap((v) => {
    if (v.length === 0) throw badRequest('query parameter "port" cannot be empty');
    return v.split(',').map(parsePort);
  });
}

/** The ports something listens on inside the pod: its containers' declared containerPorts. */
export function listeningPorts(pod: KubeObject): number[] {
  const spec = isPlainObject(pod['spec']) ? pod['spec'] : {};
  const containers = Array.isArray(spec['containers']) ? spec['containers'].filter(isPlainObject) : [];
  return containers.flatMap((c) => (Array.isArray(c['ports']) ? c['ports'].filter(isPlainObject).map((p) => Number(p['containerPort'])) : []));
}
