#!/usr/bin/env node
// The design's floor: the hops Chaperone's design puts on an admitted request, with none of its
// work. HTTPS in; a request to a policy stand-in in another process, which stores a record in a
// JetStream stream with this gateway's inbox as the reply subject, so the stream's acknowledgement
// is the answer (as the policy service answers a lone decision); the request forwarded with
// http-proxy-3 and a keep-alive agent, the upstream credential swapped in (as the bare proxy does);
// the whole response read, a completion record stored (one JetStream publish, its acknowledgement
// awaited) and only then the response sent. No authentication, request attributes, policy,
// events, masking, metrics or tracing. Same runtime, TLS, proxy library and NATS client (with the
// bus library's patches) as the ingress, so Chaperone / floor is what Chaperone's own work costs
// on top of the hops the design asks for, and floor / bare is what the hops cost.
// One file, two processes: `gateway <args>` and `policy <args>` (the stand-in, without validation,
// rules or grouping).
'use strict';
const { randomUUID } = require('node:crypto');
const { connect, headers: natsHeaders } = require('nats');
require('@chaperone/bus'); // its patches of the NATS client: the ingress's write coalescing
const { upstreamProxy, httpsServer } = require('./upstream-proxy');

/** About the sizes of the ingress's evaluation request, the stored intercept and decision, and the completion event (bytes). */
const EVALUATION_BYTES = 1000;
const RECORD_BYTES = 1500;
const COMPLETION_BYTES = 650;

/** The gateway: resolves with its stop. */
async function gateway([certFile, keyFile, upstreamUrl, caFile, token, natsUrl, policySubject, completionSubject]) {
  const nc = await connect({ servers: natsUrl });
  const js = nc.jetstream();
  const evaluation = Buffer.alloc(EVALUATION_BYTES, 'e');
  const completion = Buffer.alloc(COMPLETION_BYTES, 'c');
  const proxy = upstreamProxy(upstreamUrl, caFile);
  const refuse = (res) => {
    if (!res.headersSent) res.writeHead(503);
    res.end();
  };
  proxy.on('error', (_e, _req, res) => refuse(res));
  proxy.on('proxyRes', (proxyRes, _req, res) => {
    const chunks = [];
    proxyRes.on('data', (c) => chunks.push(c));
    proxyRes.on('end', () => {
      const body = Buffer.concat(chunks);
      const h = natsHeaders();
      h.set('Nats-Msg-Id', randomUUID());
      js.publish(completionSubject, completion, { headers: h }).then(
        () => {
          res.writeHead(proxyRes.statusCode ?? 502, { 'content-type': proxyRes.headers['content-type'] ?? 'application/json', 'content-length': body.length });
          res.end(body);
        },
        () => refuse(res),
      );
    });
  });
  const server = httpsServer(certFile, keyFile, (req, res) => {
    nc.request(policySubject, evaluation, { timeout: 5000 }).then(
      () => {
        req.headers.authorization = `Bearer ${token}`;
        proxy.web(req, res, { selfHandleResponse: true });
      },
      () => refuse(res),
    );
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  process.send({ url: `https://127.0.0.1:${server.address().port}` });
  return () => {
    server.close(() => nc.close().finally(() => process.exit(0)));
    server.closeAllConnections();
  };
}

/**
 * The policy stand-in: for each request it stores a record in the floor's stream with the
 * requester's reply subject as the publish's reply, so the stream's acknowledgement answers the
 * requester directly. Resolves with its stop.
 */
async function policy([natsUrl, policySubject, recordSubject]) {
  const nc = await connect({ servers: natsUrl });
  const record = Buffer.alloc(RECORD_BYTES, 'd');
  nc.subscribe(policySubject, {
    queue: 'floor-policy',
    callback: (err, msg) => {
      if (err || !msg.reply) return;
      const h = natsHeaders();
      h.set('Nats-Msg-Id', randomUUID());
      nc.publish(recordSubject, record, { reply: msg.reply, headers: h });
    },
  });
  await nc.flush();
  process.send({ url: 'nats' });
  return () => nc.close().finally(() => process.exit(0));
}

const ROLES = { gateway, policy };

async function main() {
  const [role, ...args] = process.argv.slice(2);
  if (!ROLES[role]) throw new Error(`usage: floor-gateway.js gateway|policy <args> (got ${role})`);
  const stop = await ROLES[role](args);
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
  process.on('disconnect', stop);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
