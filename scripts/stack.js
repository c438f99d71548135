// Starting Chaperone's processes: the one launcher of `npm start` (scripts/start.js), the benches
// (scripts/bench), the fault suite (scripts/chaos.js) and the end-to-end tests, so what they
// exercise is what a newcomer runs.
'use strict';
const { spawn, spawnSync } = require('node:child_process');
const { mkdirSync, mkdtempSync, readFileSync, writeFileSync } = require('node:fs');
const net = require('node:net');
const { availableParallelism, tmpdir } = require('node:os');
const path = require('node:path');
const { randomUUID } = require('node:crypto');

const ROOT = path.resolve(__dirname, '..');
// Makes each service stop when the process that started it dies, however it dies.
const EXIT_WITH_PARENT = path.join(__dirname, 'process', 'exit-with-parent.js');
// The gateway (what kubectl goes through, and what the benchmarks measure), then the MCP door,
// last because it sends every Kubernetes call to the ingress (see mcpEnv), and the web console, which
// passes its calls to the approvers and reports APIs (see consoleEnv).
const GATEWAY_SERVICES = ['policy', 'masking', 'approval', 'audit', 'reports', 'ingress'];
// The exporter follows the evidence store off the request path (SIEM sinks); started by `npm start`, not by the benches.
const SERVICES = [...GATEWAY_SERVICES, 'exporter', 'mcp', 'console'];

/** True when something accepts TCP connections on host:port. */
function portAnswers(host, port, timeoutMs = 1000) {
  return new Promise((resolve) => {
    const s = net.connect({ host, port });
    const done = (ok) => {
      s.destroy();
      resolve(ok);
    };
    s.setTimeout(timeoutMs, () => done(false));
    s.once('connect', () => done(true));
    s.once('error', () => done(false));
  });
}

function which(bin) {
  const r = spawnSync('sh', ['-c', `command -v ${bin}`], { encoding: 'utf8' });
  return r.status === 0 ? r.stdout.trim() : undefined;
}

/**
 * The scheduler threads (GOMAXPROCS) of a NATS server this starts (`npm start`, the benches, the
 * tests): CHAPERONE_NATS_GOMAXPROCS, 0 for Go's default (one per core); unset, a GOMAXPROCS already
 * in the environment, else half of the host's cores, at least one. Such a server shares the host
 * with the gateway's services. JetStream passes every stored message and its acknowledgement
 * between goroutines, and with a scheduler thread per core each pass can wake a sleeping thread on
 * another core (a futex wake and an interrupt, costly on a virtual machine) where one thread would
 * run it next; the figures are on the performance page. In a cluster, GOMAXPROCS follows the NATS
 * pod's CPU limit (deploy/kubernetes/nats).
 */
function natsGomaxprocs(env = process.env, cores = availableParallelism()) {
  const threads = wholeNumberSetting('CHAPERONE_NATS_GOMAXPROCS', env.CHAPERONE_NATS_GOMAXPROCS, 1024);
  if (threads === undefined) return env.GOMAXPROCS || String(Math.max(1, Math.floor(cores / 2)));
  return threads === 0 ? undefined : String(threads);
}

/** The environment a NATS server this starts runs with: this process's, its GOMAXPROCS from natsGomaxprocs. */
function natsEnv() {
  const out = { ...process.env };
  delete out.GOMAXPROCS;
  const threads = natsGomaxprocs();
  if (threads !== undefined) out.GOMAXPROCS = threads;
  return out;
}

/** A launcher setting that is a whole number from 0 to max: undefined when unset or empty; anything else refused, naming what was given. */
function wholeNumberSetting(name, raw, max) {
  if (raw === undefined || raw === '') return undefined;
  if (!/^\d+$/.test(raw) || Number(raw) > max) throw new Error(`${name} must be a whole number from 0 to ${max}, not ${JSON.stringify(raw)}`);
  return Number(raw);
}

/**
 * Make sure NATS with JetStream answers at natsUrl. If nothing answers and `nats-server` is
 * installed, start one with its store under dataDir (in its own process group when detached);
 * otherwise explain how to get NATS.
 */
async function ensureNats(natsUrl, dataDir, log = () => {}, { detached = false } = {}) {
  const u = new URL(natsUrl);
  const host = u.hostname;
  const port = Number(u.port || 4222);
  if (await portAnswers(host, port)) return { url: natsUrl, started: undefined };
  const bin = which('nats-server');
  if (!bin) {
    throw new Error(
      `nothing answers on ${natsUrl} and nats-server is not installed. Install it (Debian/Ubuntu: apt-get install nats-server; ` +
        'or a release from the NATS project) or point CHAPERONE_NATS_URL at a NATS server with JetStream enabled.',
    );
  }
  mkdirSync(dataDir, { recursive: true });
  log(`starting ${bin} -js on ${host}:${port} (store ${dataDir})`);
  // detached: a Ctrl-C reaches the starter only, which stops NATS after the services drained.
  const child = spawn(bin, ['-js', '-a', host, '-p', String(port), '-sd', dataDir], { stdio: 'ignore', detached, env: natsEnv() });
  for (let i = 0; i < 50; i++) {
    if (await portAnswers(host, port, 200)) return { url: natsUrl, started: child };
    await new Promise((r) => setTimeout(r, 100));
  }
  child.kill();
  throw new Error(`nats-server did not start on ${host}:${port}`);
}

/** A self-signed serving certificate for 127.0.0.1 and localhost (kubectl pins it as the CA). */
async function makeServingCert(dir) {
  const selfsigned = require('selfsigned');
  const pems = await selfsigned.generate([{ name: 'commonName', value: 'chaperone-local' }], {
    keySize: 2048,
    days: 30,
    algorithm: 'sha256',
    extensions: [
      { name: 'basicConstraints', cA: true },
      { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, keyCertSign: true },
      { name: 'extKeyUsage', serverAuth: true },
      { name: 'subjectAltName', altNames: [{ type: 7, ip: '127.0.0.1' }, { type: 2, value: 'localhost' }] },
    ],
  });
  mkdirSync(dir, { recursive: true });
  const certFile = path.join(dir, 'tls.crt');
  const keyFile = path.join(dir, 'tls.key');
  writeFileSync(certFile, pems.cert);
  writeFileSync(keyFile, pems.private, { mode: 0o600 });
  return { certFile, keyFile, certPem: pems.cert };
}

/** A kubeconfig for an agent: server = the ingress, CA = its certificate, user = a bearer token. */
function agentKubeconfig({ server, caPem, token, name = 'chaperone' }) {
  const user = token ? `    token: ${token}\n` : '    {}\n';
  return [
    'apiVersion: v1',
    'kind: Config',
    'clusters:',
    `- name: ${name}`,
    '  cluster:',
    `    server: ${server}`,
    `    certificate-authority-data: ${Buffer.from(caPem).toString('base64')}`,
    'users:',
    '- name: agent',
    '  user:',
    user.replace(/\n$/, ''),
    'contexts:',
    `- name: ${name}`,
    '  context:',
    `    cluster: ${name}`,
    '    user: agent',
    '    namespace: default',
    `current-context: ${name}`,
    '',
  ].join('\n');
}

/**
 * The evidence's followers: they read what the request path has already stored and answer no agent's
 * request, so on one machine they yield the cores to the processes a request waits on (ingress,
 * policy, masking, approval, NATS). Without that, a follower's batch or its garbage collection
 * (whose helper threads take every core) delays the requests in flight by as long; with it, a
 * follower runs in the time the request path leaves and catches up after a burst (JetStream keeps
 * what it has not read). In a cluster each runs on its own CPU request instead. Both the process
 * and its session get the niceness (niceSession).
 */
const FOLLOWERS = new Set(['audit', 'reports', 'exporter']);
const DEFAULT_FOLLOWER_NICE = 10;

/** The niceness the followers start with: CHAPERONE_FOLLOWER_NICE, 0 to 19 (0: the same as the rest). */
function followerNice(env) {
  return wholeNumberSetting('CHAPERONE_FOLLOWER_NICE', env.CHAPERONE_FOLLOWER_NICE ?? process.env.CHAPERONE_FOLLOWER_NICE, 19) ?? DEFAULT_FOLLOWER_NICE;
}

/** The niceness a service starts with: a follower's, or 0 for the request path and the doors. */
const niceOf = (name, env) => (FOLLOWERS.has(name) ? followerNice(env) : 0);

/**
 * V8 flags a service starts with (docker-compose.yml and deploy/kubernetes/ pass the same). The
 * masking service holds whole documents, and the ingress whole responses, megabytes each, for the
 * length of a request. Their bytes are ArrayBuffers outside the heap that V8 counts as external
 * memory: in its default young generation (1 MB a semi-space at first) they outlive a scavenge or
 * two and are promoted, and only a full mark-compact frees them, which the external memory they
 * hold soon brings. With 16 to 32 MB a semi-space they die young; beside it, a small old
 * generation still started mark-compacts every few documents, so V8 skips them below 128 MB of old
 * generation. The cost is memory: garbage may fill the old generation up to that floor. The
 * figures are in docs/masking.md and docs/performance.md ("Tails are pauses").
 */
const HEAP_FOR_BODIES = Object.freeze(['--min-semi-space-size=16', '--max-semi-space-size=32', '--initial-old-space-size=128']);
const NODE_FLAGS = Object.freeze({ ingress: HEAP_FOR_BODIES, masking: HEAP_FOR_BODIES });

let niceBin;
/** The command that starts a service: under `nice` for a follower (every thread it makes inherits the niceness; `nice` execs node, so the pid is node's). */
function serviceCommand(name, env) {
  const args = [...(NODE_FLAGS[name] ?? []), '--require', EXIT_WITH_PARENT, path.join(ROOT, 'services', name, 'dist', 'main.js')];
  const nice = niceOf(name, env);
  if (nice > 0) niceBin ??= which('nice') ?? '';
  return nice > 0 && niceBin ? [niceBin, ['-n', String(nice), process.execPath, ...args]] : [process.execPath, args];
}

/** How often a write of a session's niceness is tried: the kernel takes one such write per 100 ms from a user without CAP_SYS_ADMIN. */
const AUTOGROUP_TRIES = 10;
const AUTOGROUP_RETRY_MS = 110;

/**
 * Gives the session a follower leads (a detached service is a session of its own) the follower's
 * niceness. Linux's autogroup scheduling (on by default on most distributions) shares the cores
 * between sessions first and between the threads of one session second, so a niceness set on the
 * process alone counts only against its own threads: a follower under `nice` would still get as
 * much of the cores as the ingress. Resolves with whether the session took it; false where there
 * is no autogroup (another system, a kernel without it) or it was refused, and then the process's
 * own niceness is what there is.
 */
async function niceSession(pid, nice, { tries = AUTOGROUP_TRIES } = {}) {
  const file = `/proc/${pid}/autogroup`;
  for (let i = 0; i < tries; i++) {
    try {
      writeFileSync(file, String(nice));
      return true;
    } catch (e) {
      if (e.code !== 'EAGAIN' && e.code !== 'EBUSY') return false;
      await new Promise((r) => setTimeout(r, AUTOGROUP_RETRY_MS));
    }
  }
  return false;
}

/**
 * Spawn one service as its own process. Resolves once it prints its `ready` line; rejects with its
 * output if it exits first. Output lines go to onLine (prefixing, test capture); onSpawn gets the
 * handle at once, so a stop that comes while the service is starting can stop it too.
 */
function startService(name, env, onLine = () => {}, onSpawn = () => {}) {
  const [command, args] = serviceCommand(name, env);
  const child = spawn(command, args, {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
    // Its own process group: a Ctrl-C in the terminal reaches the starter only, which stops the
    // services one by one in order (the ingress first) rather than all at once.
    detached: true,
  });
  const output = [];
  const info = { name, child, output, urls: [], health: undefined };
  onSpawn(info);
  const nice = niceOf(name, env);
  if (nice > 0 && child.pid !== undefined) void niceSession(child.pid, nice);
  return new Promise((resolve, reject) => {
    let buf = '';
    const onData = (chunk) => {
      buf += chunk.toString();
      let i;
      while ((i = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, i);
        buf = buf.slice(i + 1);
        output.push(line);
        onLine(name, line);
        const listening = /listening on (https?:\/\/\S+)/.exec(line);
        if (listening) info.urls.push(listening[1]);
        const ready = /ready health=(\S+)/.exec(line);
        if (ready) {
          info.health = ready[1];
          resolve(info);
        }
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.once('exit', (code) => {
      const inUse = output.map((l) => /EADDRINUSE.*?(\S+:\d+)\s*$/.exec(l)).find(Boolean);
      if (inUse) reject(new Error(`${name} could not listen on ${inUse[1]}: another program holds that port. Free it, or choose ports (CHAPERONE_HTTPS_PORT, CHAPERONE_HTTP_PORT, CHAPERONE_HEALTH_PORT; 0 = any free port)`));
      else reject(new Error(`${name} exited with code ${code} before it was ready:\n${output.slice(-30).join('\n')}`));
    });
  });
}

/**
 * What the MCP service needs from the services started before it: the ingress's URL (HTTPS when it
 * has one) and the CA its certificate chains to, and the approvers API for approval status.
 */
function mcpEnv(running, caFile) {
  const ingress = running.find((s) => s.name === 'ingress');
  const approval = running.find((s) => s.name === 'approval');
  const url = ingress && (ingress.urls.find((u) => u.startsWith('https://')) || ingress.urls[0]);
  if (!url) throw new Error('the MCP service needs the ingress, which reported no URL');
  return {
    CHAPERONE_MCP_INGRESS_URL: url,
    ...(caFile ? { CHAPERONE_MCP_INGRESS_CA_FILE: caFile } : {}),
    ...(approval && approval.urls[0] ? { CHAPERONE_MCP_APPROVAL_URL: approval.urls[0] } : {}),
  };
}

/**
 * Stop a service process and wait for it to exit. One that has not stopped after graceMs (it
 * finishes in-flight requests and drains NATS first) is killed. Resolves true when it stopped by itself.
 */
function stopService(info, signal = 'SIGTERM', graceMs = 10_000) {
  return new Promise((resolve) => {
    if (info.child.exitCode !== null || info.child.signalCode !== null) return resolve(true);
    let killed = false;
    const timer = setTimeout(() => {
      killed = true;
      info.child.kill('SIGKILL');
    }, graceMs);
    info.child.once('exit', () => {
      clearTimeout(timer);
      resolve(!killed);
    });
    info.child.kill(signal);
  });
}

/**
 * Start services in order, each its own process, pushing each onto `running` once it is ready (a
 * caller that fails midway stops those). The MCP service and the console are given what they need
 * from the ones started before them (mcpEnv, consoleEnv) unless env names it already. Stops early,
 * before the next service, when shouldStop() says so.
 * @param {string[]} names
 * @param {Record<string, string>} env
 * @param {{ running?: any[], caFile?: string, onLine?: Function, onSpawn?: Function, shouldStop?: () => boolean }} [opts]
 */
async function startServices(names, env, { running = [], caFile, onLine, onSpawn, shouldStop = () => false } = {}) {
  const named = (key) => env[key] ?? process.env[key];
  // A bad setting is refused before anything starts, not when the first follower does.
  followerNice(env);
  for (const name of names) {
    if (shouldStop()) break;
    const extra = name === 'mcp' && !named('CHAPERONE_MCP_INGRESS_URL') ? mcpEnv(running, caFile) : name === 'console' ? consoleEnv(running) : {};
    running.push(await startService(name, { ...env, ...extra }, onLine, onSpawn));
  }
  return running;
}

/** Stop services newest first (what sends requests goes before what it sends them to); resolves with the names of those that had to be killed. */
async function stopServices(services) {
  const killed = [];
  for (const s of [...services].reverse()) if (!(await stopService(s))) killed.push(s.name);
  return killed;
}

/** What the console needs from the services started before it: the approvers API and the reports API. */
function consoleEnv(running) {
  const approval = running.find((s) => s.name === 'approval');
  const reports = running.find((s) => s.name === 'reports');
  return {
    ...(approval && approval.urls[0] ? { CHAPERONE_CONSOLE_APPROVAL_URL: approval.urls[0] } : {}),
    ...(reports && reports.health ? { CHAPERONE_CONSOLE_REPORTS_URL: reports.health.replace(/\/healthz$/, '') } : {}),
  };
}

/**
 * The environment every service of a local gateway shares: its bus prefix, the policy in
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

/**
 * The files and environment of a local gateway on a bus prefix of its own (`prefix`, by default `<name>-<random>`), in
 * dir: a serving certificate, the cluster, the upstream token, a local OIDC issuer and its JWKS, the
 * policy. `startCluster(cert)` starts the test API server (in this process or another) with
 * `upstreamToken` as the gateway's credential and resolves with its { url }.
 * @param {{ dir: string, name: string, prefix?: string, natsUrl: string, policy: string, upstreamToken: string,
 *           startCluster: (cert: { certFile: string, keyFile: string, certPem: string }) => Promise<{ url: string }> }} o
 */
async function prepareGateway(o) {
  const { busSubjects } = require('@chaperone/contracts');
  const { createLocalIssuer } = require('@chaperone/auth');
  const cert = await makeServingCert(path.join(o.dir, 'tls'));
  const api = await o.startCluster(cert);
  writeFileSync(path.join(o.dir, 'upstream-token'), o.upstreamToken);
  const issuer = await createLocalIssuer({ issuer: `https://${o.name}-issuer`, audience: 'chaperone' });
  issuer.writeJwksFile(path.join(o.dir, 'jwks.json'));
  writeFileSync(path.join(o.dir, 'policy.yaml'), o.policy);
  const subjects = busSubjects(o.prefix ?? `${o.name}-${randomUUID().slice(0, 8)}`);
  const env = gatewayServiceEnv({ natsUrl: o.natsUrl, subjects, dir: o.dir, certFile: cert.certFile, keyFile: cert.keyFile, issuer: issuer.issuer, apiUrl: api.url });
  return { cert, api, issuer, subjects, env };
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
  const { connect } = require('nats');
  const nc = await connect({ servers: natsUrl });
  const jsm = await nc.jetstreamManager();
  const names = [subjects.eventsStream, subjects.evidenceStream, `OBJ_${subjects.reportsSnapshotBucket}`];
  for await (const si of jsm.streams.list()) if (isRunStream(subjects, si.config.name)) names.push(si.config.name);
  for (const name of new Set(names)) await jsm.streams.delete(name).catch(() => false);
  await nc.drain();
}

const BENCH_GATEWAY_TOKEN = 'bench-gateway-token';

/**
 * The gateway a benchmark measures: NATS (started if needed), the test API server over HTTPS in this
 * process as the cluster, a local OIDC issuer, and every gateway service as its own process on a bus
 * prefix of its own. `stop()` ends the processes and deletes the run's JetStream streams (the NATS
 * server outlives it).
 * @param {{ rules: string, prepare?: (api: any) => void, env?: Record<string, string>, mcp?: boolean }} opts
 *   rules: YAML list items of the policy; prepare: seed the test API server before services start;
 *   mcp: start the MCP service too, in front of the gateway (mcpUrl).
 */
async function startBenchGateway(opts) {
  const dir = mkdtempSync(path.join(tmpdir(), 'chaperone-bench-'));
  const natsUrl = process.env.CHAPERONE_NATS_URL || 'nats://127.0.0.1:4222';
  await ensureNats(natsUrl, path.join(dir, 'nats'));
  const { startTestApiServer } = require('@chaperone/test-apiserver');
  const { cert, api, issuer, subjects, env } = await prepareGateway({
    dir,
    name: 'bench',
    natsUrl,
    policy: `apiVersion: chaperone.dev/v1alpha1\nkind: Policy\nrules:\n${opts.rules}`,
    upstreamToken: BENCH_GATEWAY_TOKEN,
    startCluster: async (c) => {
      const server = await startTestApiServer({ bearerToken: BENCH_GATEWAY_TOKEN, tls: { cert: readFileSync(c.certFile, 'utf8'), key: readFileSync(c.keyFile, 'utf8') } });
      if (opts.prepare) opts.prepare(server);
      return server;
    },
  });
  // Benchmarks measure the request path; the agent registry is exercised by its own tests.
  const serviceEnv = { ...env, CHAPERONE_REQUIRE_REGISTERED_AGENTS: 'false', ...opts.env };
  const running = [];
  const stop = async () => {
    await stopServices(running);
    await api.close();
    await deleteStreams(natsUrl, subjects);
  };
  try {
    await startServices([...GATEWAY_SERVICES, ...(opts.mcp ? ['mcp'] : [])], serviceEnv, { running, caFile: cert.certFile });
  } catch (e) {
    await stop();
    throw e;
  }
  const gatewayUrl = running.find((s) => s.name === 'ingress').urls[0];
  const processes = running.map((s) => ({ name: s.name, pid: s.child.pid }));
  const mcp = running.find((s) => s.name === 'mcp');
  const mcpUrl = mcp ? `${new URL(mcp.health).origin}/mcp` : undefined;
  return { dir, api, cert, issuer, gatewayUrl, gatewayToken: BENCH_GATEWAY_TOKEN, processes, mcpUrl, stop };
}

module.exports = {
  ROOT,
  serviceCommand,
  niceSession,
  SERVICES,
  GATEWAY_SERVICES,
  ensureNats,
  natsGomaxprocs,
  natsEnv,
  makeServingCert,
  agentKubeconfig,
  startService,
  stopService,
  startServices,
  stopServices,
  portAnswers,
  which,
  mcpEnv,
  consoleEnv,
  gatewayServiceEnv,
  prepareGateway,
  isRunStream,
  deleteStreams,
  startBenchGateway,
};
