#!/usr/bin/env node
// The floor any Node proxy pays: HTTPS in, http-proxy-3 with a keep-alive agent out, the upstream
// credential swapped in, nothing else (no authentication, policy, events or masking). Same runtime,
// TLS and proxy library as the ingress, so Chaperone/bare is what Chaperone's own work costs.
// Upgrades (exec) are spliced blindly after the 101: the unrecorded floor for exec throughput.
'use strict';
const https = require('node:https');
const { readFileSync } = require('node:fs');
const { createProxyServer } = require('http-proxy-3');

function main() {
  const [certFile, keyFile, upstreamUrl, caFile, token] = process.argv.slice(2);
  const agent = new https.Agent({ keepAlive: true, maxSockets: 256, maxFreeSockets: 64, ca: readFileSync(caFile) });
  const proxy = createProxyServer({ target: upstreamUrl, agent, changeOrigin: true, xfwd: false, followRedirects: false, ws: true });
  proxy.on('error', (_e, _req, res) => {
    if (res && 'writeHead' in res && !res.headersSent) res.writeHead(502);
    if (res) res.end();
  });
  const server = https.createServer({ cert: readFileSync(certFile), key: readFileSync(keyFile), minVersion: 'TLSv1.2' }, (req, res) => {
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
