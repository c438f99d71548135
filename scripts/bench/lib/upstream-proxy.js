// What the bench's two reference gateways (bare-proxy.js and the design floor's floor-gateway.js)
// share: HTTPS in with the bench's certificate, and http-proxy-3 out through a keep-alive agent that
// trusts the test API server. One definition, so the two measure exactly the same proxying.
'use strict';
const https = require('node:https');
const { readFileSync } = require('node:fs');
const { createProxyServer } = require('http-proxy-3');

/** http-proxy-3 to `upstreamUrl` over a keep-alive agent trusting `caFile`; never follows redirects. */
function upstreamProxy(upstreamUrl, caFile) {
  const agent = new https.Agent({ keepAlive: true, maxSockets: 256, maxFreeSockets: 64, ca: readFileSync(caFile) });
  return createProxyServer({ target: upstreamUrl, agent, changeOrigin: true, xfwd: false, followRedirects: false, ws: true });
}

/** An HTTPS server with the bench's serving certificate. */
function httpsServer(certFile, keyFile, onRequest) {
  return https.createServer({ cert: readFileSync(certFile), key: readFileSync(keyFile), minVersion: 'TLSv1.2' }, onRequest);
}

module.exports = { upstreamProxy, httpsServer };
