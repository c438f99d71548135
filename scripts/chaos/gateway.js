// The system under fault (the gateway's six services; the MCP service is a client of it, not on
// the path the load takes): the test API server as the cluster (its own process, with a request
// log), a local OIDC issuer, signed checkpoints, and every Chaperone service with as many replicas
// as deploy/kubernetes runs, each its own process on the run's bus prefix. A replica can be killed
// (SIGKILL) and restarted with the same environment; an ingress replica keeps its port, as a pod
// behind a Service keeps its address.
'use strict';
const { createWriteStream, readFileSync, readdirSync, writeFileSync } = require('node:fs');
const path = require('node:path');
const { parseAllDocuments } = require('yaml');
const { generateCheckpointKeyPair } = require('@chaperone/evidence-chain');
const { ROOT, GATEWAY_SERVICES: SERVICES, prepareGateway, startService } = require('../stack');
const { forkHelper } = require('../bench/lib/processes');
const { freePorts } = require('../bench/lib/nats-server');

const GATEWAY_TOKEN = 'chaos-gateway-token';

/** The agent's requests: reads of pods raw, reads of secrets masked, pods deleted and created (responses masked by default). */
const POLICY = `apiVersion: chaperone.dev/v1alpha1
kind: Policy
rules:
  - name: chaos-read-pods
    effect: allow
    unmasked: true
    subjects: { groups: ["agents"] }
    verbs: ["get"]
    apiGroups: [""]
    resources: ["pods"]
    namespaces: ["default"]
  - name: chaos-read-secrets-masked
    effect: mask
    subjects: { groups: ["agents"] }
    verbs: ["get"]
    apiGroups: [""]
    resources: ["secrets"]
    namespaces: ["default"]
  - name: chaos-replace-pods
    effect: allow
    subjects: { groups: ["agents"] }
    verbs: ["delete", "create"]
    apiGroups: [""]
    resources: ["pods"]
    namespaces: ["default"]
`;

/**
 * Replicas per service as the Deployments of deploy/kubernetes/base declare them (overlays/ha
 * autoscales from at least as many; overlays/dev runs one of each, as --short does). Fails when a
 * service has no Deployment there: a run that silently falls back to one replica tests no failover.
 */
function manifestReplicas() {
  const dir = path.join(ROOT, 'deploy', 'kubernetes', 'base');
  const replicas = {};
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.yaml'))) {
    for (const doc of parseAllDocuments(readFileSync(path.join(dir, file), 'utf8'))) {
      const o = doc.toJS();
      const m = o && o.kind === 'Deployment' && /^chaperone-(\w+)$/.exec(o.metadata?.name ?? '');
      if (m && SERVICES.includes(m[1])) replicas[m[1]] = Number(o.spec?.replicas ?? 1);
    }
  }
  const missing = SERVICES.filter((s) => !(replicas[s] >= 1));
  if (missing.length > 0) throw new Error(`no Deployment chaperone-<service> with replicas in ${path.relative(ROOT, dir)} for: ${missing.join(', ')}`);
  return replicas;
}

/**
 * @param {{ dir: string, logDir: string, natsUrl: string, runId: string, clients: number, replicas: Record<string, number>,
 *           track: (name: string, child: any) => void, log: (s: string) => void }} opts
 */
async function startGateway(opts) {
  const { dir, logDir, natsUrl, runId, track } = opts;
  const { api, issuer, subjects, env: gatewayEnv } = await prepareGateway({
    dir,
    name: 'chaos',
    prefix: `chaos-${runId}`,
    natsUrl,
    policy: POLICY,
    upstreamToken: GATEWAY_TOKEN,
    startCluster: (cert) => forkHelper('test API server', path.join(__dirname, 'api-server.js'), [cert.certFile, cert.keyFile, GATEWAY_TOKEN]),
  });
  const keys = generateCheckpointKeyPair();
  const privateKeyFile = path.join(dir, 'checkpoint-key.pem');
  const publicKeyFile = path.join(dir, 'checkpoint-public.pem');
  writeFileSync(privateKeyFile, keys.privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600 });
  writeFileSync(publicKeyFile, keys.publicKey.export({ type: 'spki', format: 'pem' }));
  const env = {
    ...gatewayEnv,
    // The agent registry has its own tests; here every request is the load's.
    CHAPERONE_REQUIRE_REGISTERED_AGENTS: 'false',
    CHAPERONE_CHECKPOINT_KEY_FILE: privateKeyFile,
    CHAPERONE_CHECKPOINT_PUBLIC_KEY_FILE: publicKeyFile,
    CHAPERONE_CHECKPOINT_INTERVAL_SECONDS: '5',
  };

  // Each ingress replica keeps its HTTPS port across restarts; the clients spread over them.
  const ingressPorts = await freePorts(opts.replicas.ingress);
  /** service → replica index → { service, index, info } (info: scripts/stack.js startService). */
  const replicas = Object.fromEntries(SERVICES.map((s) => [s, []]));

  async function startReplica(service, index) {
    const replicaEnv = service === 'ingress' ? { ...env, CHAPERONE_HTTPS_PORT: String(ingressPorts[index]) } : env;
    const out = createWriteStream(path.join(logDir, `${service}-${index}.log`), { flags: 'a' });
    const info = await startService(
      service,
      replicaEnv,
      (_name, line) => out.write(`${line}\n`),
      (spawned) => track(`${service}-${index}`, spawned.child),
    );
    // Output is in the log file; the start helper's in-memory copy is not needed past readiness.
    info.output.length = 0;
    replicas[service][index] = { service, index, info };
    return info;
  }

  // Every replica at once: each service waits for NATS only, and a start takes seconds on a busy machine.
  await Promise.all(
    SERVICES.map(async (service) => {
      const started = await Promise.all(Array.from({ length: opts.replicas[service] }, (_, i) => startReplica(service, i)));
      opts.log(`${service}: ${started.length} replica(s) ready (pids ${started.map((s) => s.child.pid).join(', ')})`);
    }),
  );

  const tokens = [];
  for (let c = 0; c < opts.clients; c++) {
    // One session per client, so events spread over the bus partitions as many agents' would.
    tokens.push(await issuer.sign({ sub: 'chaos-agent', agent: 'chaos-agent', groups: ['agents'], sid: `chaos-${runId}-c${c}` }, { expiresIn: 24 * 3600 }));
  }

  return {
    subjects,
    publicKeyFile,
    api,
    ingressUrls: ingressPorts.map((p) => `https://127.0.0.1:${p}`),
    tokens,
    replicaCount: (service) => replicas[service].length,
    /** SIGKILL the given replicas; resolves when they are gone. */
    async kill(service, indexes) {
      await Promise.all(
        indexes.map(
          (i) =>
            new Promise((resolve) => {
              const child = replicas[service][i].info.child;
              if (child.exitCode !== null || child.signalCode !== null) return resolve();
              child.once('exit', () => resolve());
              child.kill('SIGKILL');
            }),
        ),
      );
    },
    /** Start the given replicas again with their environment; resolves when each says it is ready. */
    restart(service, indexes) {
      return Promise.all(indexes.map((i) => startReplica(service, i)));
    },
    /** The API server's request log from index `from`: { log, next }. */
    requestLog(from) {
      return new Promise((resolve) => {
        api.child.once('message', resolve);
        api.child.send({ log: from });
      });
    },
  };
}

module.exports = { startGateway, manifestReplicas };
