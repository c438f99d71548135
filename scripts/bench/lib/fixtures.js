// Objects the benchmarks use: a 1 MB list of secrets (each value base64, as the API serves them) and
// the parsed request of one pod read.
'use strict';

const BENCH_NAMESPACE = 'bench';

/** Secrets in `namespace` adding up to about targetBytes of JSON. */
function secretList(namespace, targetBytes) {
  const value = Buffer.from(`s3cr3t-${'x'.repeat(700)}`).toString('base64');
  const n = Math.ceil(targetBytes / (value.length + 160));
  return Array.from({ length: n }, (_, i) => ({
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name: `bench-${i}`, namespace },
    type: 'Opaque',
    data: { token: value },
  }));
}

/** The request info of `kubectl get pod worker-0 -n default`, as the ingress parses it. */
const GET_WORKER_POD = Object.freeze({
  isResourceRequest: true,
  path: '/api/v1/namespaces/default/pods/worker-0',
  verb: 'get',
  apiPrefix: 'api',
  apiGroup: '',
  apiVersion: 'v1',
  namespace: 'default',
  resource: 'pods',
  subresource: '',
  name: 'worker-0',
  parts: Object.freeze(['pods', 'worker-0']),
});

module.exports = { BENCH_NAMESPACE, secretList, GET_WORKER_POD };
