// The gateway a benchmark measures: NATS (started if needed), the test API server over HTTPS as the
// cluster, a local OIDC issuer, and every service as its own process on a bus prefix of its own.
// `stop()` ends the processes and deletes the run's JetStream streams (the NATS server outlives it).
'use strict';
const { mkdtempSync, readFileSync, writeFileSync } = require('node:fs');
const { tmpdir } = require('node:os');
const path = require('node:path');
const { randomUUID } = require('node:crypto');
const { connect } = require('nats');
const { busSubjects } = require('@chaperone/contracts');
const { GATEWAY_SERVICES, ensureNats, makeServingCert, mcpEnv, startService, stopService } = require('./stack');

const GATEWAY_TOKEN = 'bench-gateway-token';

/**
 * The environment every service of a benchmark's gateway shares: its bus prefix, the policy in
 * `dir/policy.yaml`, TLS, the local issuer's JWKS in `dir/jwks.json` and the test API server as the
 * cluster (token in `dir/upstream-token`).
 */
function gatewayServiceEnv({ natsUrl, subjects, dir, certFile, keyFile, issuer, apiUrl }) {
  return {
    CHAPERONE_NATS_URL: natsUrl,
    CHAPERONE_BUS_PREFIX: subjects.prefix,
    CHAPERONE_HEALTH_PORT: '0',
    CHAPERONE_POLICY_FILE: path.join(dir, 'policy.yaml'),
    CHAPERONE_HTTPS_PORT: '0',
    CHAPERONE_TLS_CERT_FILE: certFile,
    CHAPERONE_TLS_KEY_FILE: keyFile,
    CHAPERONE_OIDC_ISSUER: issuer,
    CHAPERONE_OIDC_JWKS_FILE: path.join(dir, 'jwks.json'),
    CHAPERONE_UPSTREAM_URL: apiUrl,
    CHAPERONE_UPSTREAM_TOKEN_FILE: path.join(dir, 'upstream-token'),
    CHAPERONE_UPSTREAM_CA_FILE: certFile,
  };
}

/** Whether a JetStream stream belongs to a run's bus prefix (events, evidence, and whatever else a service made under it). */
function isRunStream(subjects, name) {
  // Streams carry the prefix upper-cased (BENCH_1234_EVENTS), object-store and KV buckets as written
  // (OBJ_bench-1234-reports, KV_bench-1234-...).
  const marks = [subjects.eventsStream.replace(/_EVENTS$/, ''), `OBJ_${subjects.prefix}-`, `KV_${subjects.prefix}-`];
  return marks.some((m) => name.includes(m));
}

/** Deletes every JetStream stream of a run's bus prefix. */
async function deleteStreams(natsUrl, subjects) {
  const nc = await connect({ servers: natsUrl });
  const jsm = await nc.jetstreamManager();
  const names = [subjects.eventsStream, subjects.evidenceStream, `OBJ_${subjects.reportsSnapshotBucket}`];
  for await (const si of jsm.streams.list()) if (isRunStream(subjects, si.config.name)) names.push(si.config.name);
  for (const name of new Set(names)) await jsm.streams.delete(name).catch(() => false);
  await nc.drain();
}

/**
 * @param {{ rules: string, prepare?: (api: any) => void, env?: Record<string, string>, mcp?: boolean }} opts
 *   rules: YAML list items of the policy; prepare: seed the test API server before services start;
 *   mcp: start the MCP service too, in front of the gateway (mcpUrl).
 */
async function startBenchGateway(opts) {
  const dir = mkdtempSync(path.join(tmpdir(), 'chaperone-bench-'));
  const natsUrl = process.env.CHAPERONE_NATS_URL || 'nats://127.0.0.1:4222';
  await ensureNats(natsUrl, path.join(dir, 'nats'));
  const cert = await makeServingCert(path.join(dir, 'tls'));
  const { startTestApiServer } = require('@chaperone/test-apiserver');
  const { createLocalIssuer } = require('@chaperone/auth');
  const api = await startTestApiServer({ bearerToken: GATEWAY_TOKEN, tls: { cert: readFileSync(cert.certFile, 'utf8'), key: readFileSync(cert.keyFile, 'utf8') } });
  if (opts.prepare) opts.prepare(api);
  writeFileSync(path.join(dir, 'upstream-token'), GATEWAY_TOKEN);
  const issuer = await createLocalIssuer({ issuer: 'https://bench-issuer', audience: 'chaperone' });
  issuer.writeJwksFile(path.join(dir, 'jwks.json'));
  writeFileSync(path.join(dir, 'policy.yaml'), `apiVersion: chaperone.dev/v1alpha1\nkind: Policy\nrules:\n${opts.rules}`);
  const subjects = busSubjects(`bench-${randomUUID().slice(0, 8)}`);
  const env = {
    ...gatewayServiceEnv({ natsUrl, subjects, dir, certFile: cert.certFile, keyFile: cert.keyFile, issuer: issuer.issuer, apiUrl: api.url }),
    // Benchmarks measure the request path; the agent registry is exercised by its own tests.
    CHAPERONE_REQUIRE_REGISTERED_AGENTS: 'false',
    ...opts.env,
  };
  const running = [];
  const stop = async () => {
    for (const s of running.reverse()) await stopService(s);
    await api.close();
    await deleteStreams(natsUrl, subjects);
  };
  try {
    for (const name of GATEWAY_SERVICES) running.push(await startService(name, env));
    if (opts.mcp) running.push(await startService('mcp', { ...env, ...mcpEnv(running, cert.certFile) }));
  } catch (e) {
    await stop();
    throw e;
  }
  const gatewayUrl = running.find((s) => s.name === 'ingress').urls[0];
  const processes = running.map((s) => ({ name: s.name, pid: s.child.pid }));
  const mcp = running.find((s) => s.name === 'mcp');
  const mcpUrl = mcp ? `${new URL(mcp.health).origin}/mcp` : undefined;
  return { dir, api, cert, issuer, gatewayUrl, gatewayToken: GATEWAY_TOKEN, processes, mcpUrl, stop };
}

module.exports = { startBenchGateway, gatewayServiceEnv, deleteStreams, isRunStream };
