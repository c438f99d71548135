#!/usr/bin/env node
// The floor any Node proxy pays: HTTPS in, http-proxy-3 with a keep-alive agent out, the upstream
// credential swapped in, nothing else (no authentication, policy, events or masking). Same runtime,
// TLS and proxy library as the ingress, so Chaperone/bare is what Chaperone's own work costs.
// Upgrades (exec) are spliced blindly after the 101: the unrecorded floor for exec throughput.
'use strict';
const { upstreamProxy, httpsServer } = require('./upstream-proxy');

function main() {
  const [certFile, keyFile, upstreamUrl, caFile, token] = process.argv.slice(2);
  const proxy = upstreamProxy(upstreamUrl, caFile);
  proxy.on('error', (_e, _req, res) => {
    if (res && 'writeHead' in res && !res.headersSent) res.writeHead(502);
    if (res) res.end();
  });
  const server = httpsServer(certFile, keyFile, (req, res) => {
    req.headers.authorization = `Bearer ${token}`;
    proxy.web(req, res);
  });
  server.on('upgrade', (req, socket, head) => {
    req.headers.authorization = `Bearer ${token}`;
    proxy.ws(req, socket, head, {}, () => socket.destroy());
  });
  server.listen(0, '127.0.0.1', () => process.send({ url: `https://127.0.0.1:${server.address().port}` }));
  const stop = () => {
    server.close(() => process.exit(0));
    server.closeAllConnections();
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
  process.on('disconnect', stop);
}

main();
