#!/usr/bin/env node
// The cluster of a chaos run, in a process of its own: the test API server over HTTPS (default
// seed: pod worker-0, secret db-credentials in namespace default). The test double records every
// request it receives; the parent reads that log over IPC ({ log: from } → { log: records, next }),
// reduced to what the checks need: when, what, and the two correlation keys (the request id the
// gateway sends as Impersonate-Extra, and the client's tag in the User-Agent). Never the bodies or
// the bearer token.
'use strict';
const { Headers } = require('@chaperone/contracts');
const { serveApiInChild } = require('../bench/lib/api-child');

const header = (r, name) => {
  const v = r.headers[name];
  return Array.isArray(v) ? v.join(',') : (v ?? '');
};

serveApiInChild({
  onMessage(api, msg) {
    if (!msg || typeof msg.log !== 'number') return;
    const from = Math.max(0, msg.log);
    const records = api.requests.slice(from).map((r) => ({
      time: r.time,
      method: r.method,
      url: r.url,
      requestId: header(r, Headers.impersonateExtraRequest),
      sessionId: header(r, Headers.impersonateExtraSession),
      userAgent: header(r, 'user-agent'),
    }));
    process.send({ log: records, next: from + records.length });
  },
});
