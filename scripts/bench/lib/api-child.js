// The test API server as a child process of a bench or the fault suite (its CPU and memory measured
// apart from the load, and serving while the parent blocks): HTTPS with the certificate and key
// files and the gateway's bearer token given as arguments. It tells its parent { url } over IPC
// once listening, and stops on SIGTERM, SIGINT or when the parent goes.
'use strict';
const { readFileSync } = require('node:fs');
const { startTestApiServer } = require('@chaperone/test-apiserver');

/**
 * Run as the child's main: start the server from argv [certFile, keyFile, token], seed it with
 * setup(api), hand every message from the parent to onMessage(api, msg), then announce the url.
 */
function serveApiInChild({ setup = () => {}, onMessage = () => {} } = {}) {
  const main = async () => {
    const [certFile, keyFile, token] = process.argv.slice(2);
    const api = await startTestApiServer({ bearerToken: token, tls: { cert: readFileSync(certFile, 'utf8'), key: readFileSync(keyFile, 'utf8') } });
    setup(api);
    process.on('message', (msg) => onMessage(api, msg));
    const stop = () => void api.close().then(() => process.exit(0));
    process.on('SIGTERM', stop);
    process.on('SIGINT', stop);
    process.on('disconnect', stop);
    process.send({ url: api.url });
  };
  main().catch((e) => {
    console.error(e);
    process.exit(1);
  });
}

module.exports = { serveApiInChild };
