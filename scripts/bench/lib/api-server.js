#!/usr/bin/env node
// The cluster the benchmark talks to, in a process of its own (so its CPU and memory are measured
// apart from the load generator): the test API server over HTTPS with the bench fixtures.
// Tells its parent over IPC: { url } once listening, { burst: n, done } after a watch burst.
'use strict';
const { readFileSync } = require('node:fs');
const { startTestApiServer } = require('@chaperone/test-apiserver');
const { BENCH_NAMESPACE, secretList } = require('./fixtures');

async function main() {
  const [certFile, keyFile, token] = process.argv.slice(2);
  const api = await startTestApiServer({ bearerToken: token, tls: { cert: readFileSync(certFile, 'utf8'), key: readFileSync(keyFile, 'utf8') } });
  api.addObjects('namespaces', '', [{ metadata: { name: BENCH_NAMESPACE } }]);
  api.addObjects('secrets', '', secretList(BENCH_NAMESPACE, 1024 * 1024));
  // The test double records every request for tests to inspect; a benchmark must not measure that list growing.
  const forget = setInterval(() => api.clearRequests(), 1000);
  forget.unref();
  let seq = 0;
  process.on('message', (msg) => {
    if (msg && typeof msg.burst === 'number') {
      // Watch events as fast as the server can emit them, in slices so sockets get written between slices.
      let left = msg.burst;
      const slice = () => {
        const n = Math.min(left, 200);
        left -= n;
        api.addObjects(
          'configmaps',
          '',
          Array.from({ length: n }, () => ({ metadata: { name: `w-${++seq}`, namespace: BENCH_NAMESPACE, labels: { burst: String(msg.label) } }, data: { n: String(seq) } })),
        );
        if (left > 0) setTimeout(slice, 0);
        else process.send({ burst: msg.burst, done: true });
      };
      slice();
    }
  });
  const stop = () => void api.close().then(() => process.exit(0));
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
  process.on('disconnect', stop);
  process.send({ url: api.url });
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
