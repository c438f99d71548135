#!/usr/bin/env node
// The cluster the benchmark talks to, in a process of its own (so its CPU and memory are measured
// apart from the load generator): the test API server over HTTPS with the bench fixtures.
// Tells its parent over IPC: { url } once listening, { burst: n, done } after a watch burst.
'use strict';
const { BENCH_NAMESPACE, secretList } = require('./fixtures');
const { serveApiInChild } = require('./api-child');

let seq = 0;
serveApiInChild({
  setup(api) {
    api.addObjects('namespaces', '', [{ metadata: { name: BENCH_NAMESPACE } }]);
    api.addObjects('secrets', '', secretList(BENCH_NAMESPACE, 1024 * 1024));
    // The test double records every request for tests to inspect; a benchmark must not measure that list growing.
    const forget = setInterval(() => api.clearRequests(), 1000);
    forget.unref();
  },
  onMessage(api, msg) {
    if (!msg || typeof msg.burst !== 'number') return;
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
  },
});
