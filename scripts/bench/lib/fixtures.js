// Objects the benchmark reads: a 1 MB list of secrets (each value base64, as the API serves them).
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

module.exports = { BENCH_NAMESPACE, secretList };
