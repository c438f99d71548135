// Objects the benchmarks use: lists of secrets (each value base64, as the API serves them),
// pods and config maps as masking sees them, and the parsed request of one pod read.
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

/** A pod of `namespace`: many short strings the detectors see, an env password and a `--db-password=` flag. */
function podItem(i, namespace) {
  return {
    metadata: { name: `orders-${i}`, namespace, uid: `5f0c9a4e-3b2d-4c1e-9f8a-${String(i).padStart(12, '0')}`, labels: { app: 'orders', 'pod-template-hash': '7d9c5b' }, annotations: { 'kubectl.kubernetes.io/restartedAt': '2024-05-01T10:00:00Z' } },
    spec: {
      containers: [
        {
          name: 'app',
          image: 'registry.example.com/orders:1.4.2',
          args: ['--listen=:8080', '--db-password=hunter2hunter2', '--verbose'],
          env: [{ name: 'LOG_LEVEL', value: 'info' }, { name: 'DB_PASSWORD', value: 'hunter2hunter2' }, { name: 'DB_HOST', value: 'postgres.prod.svc' }],
          resources: { limits: { cpu: '500m', memory: '256Mi' } },
        },
      ],
      nodeName: `node-${i % 7}`,
      serviceAccountName: 'orders',
    },
    status: { phase: 'Running', podIP: `10.0.${i % 250}.${i % 200}`, conditions: [{ type: 'Ready', status: 'True', lastTransitionTime: '2024-05-01T10:00:05Z' }] },
  };
}

/**
 * A ConfigMap of `namespace` holding config files: every line a `key=value` or `key: value` the
 * assignment detector reads, one line in thirty a secret-named key, and a URL with a password.
 */
function configMapItem(i, namespace) {
  const line = (k) => [`server.port=80${k}`, `spring.datasource.url: jdbc:postgresql://db-${i}:5432/app`, `logging.level.root=INFO`, `feature.flag-${k}: true`, `cache.ttl = ${k}m`, k === 29 ? `db.password=s3cr3t-${i}` : `app.name=orders-${i}`][k % 6];
  return {
    metadata: { name: `orders-config-${i}`, namespace, uid: `5f0c9a4e-3b2d-4c1e-9f8a-${String(i).padStart(12, '0')}`, labels: { app: 'orders' } },
    data: {
      'application.properties': Array.from({ length: 30 }, (_, k) => line(k)).join('\n'),
      'cache.yaml': `redis:\n  url: redis://cache:s3cr3t@redis-${i}:6379/0\n  ttl: 60s\n`,
      image: 'registry.example.com/orders:1.4.2',
    },
  };
}

/** Items made by itemAt(i) until their JSON adds up to about targetBytes (after `overhead` bytes of list around them). */
function itemsUpTo(targetBytes, itemAt, overhead = 60) {
  const items = [];
  let size = overhead;
  for (let i = 0; size < targetBytes; i++) {
    const item = itemAt(i);
    size += JSON.stringify(item).length + 1;
    items.push(item);
  }
  return items;
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

module.exports = { BENCH_NAMESPACE, secretList, podItem, configMapItem, itemsUpTo, GET_WORKER_POD };
