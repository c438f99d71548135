#!/usr/bin/env node
// `npm start`: every Chaperone service as its own process, on local defaults.
// - NATS: uses CHAPERONE_NATS_URL (default nats://127.0.0.1:4222); starts `nats-server -js` if nothing answers.
// - Cluster: the one in CHAPERONE_UPSTREAM_* / KUBECONFIG / ~/.kube/config / in-cluster; without one,
//   an in-memory demo cluster (the project's Kubernetes API test server), clearly announced.
// - Agents: a local demo OIDC issuer signs a token for "demo-agent" and writes a kubeconfig for it;
//   deploy/agents.example.yaml registers it.
// - Checkpoints: a dev Ed25519 key pair in the state directory signs the evidence chain heads.
// - Export: the exporter writes Kubernetes audit events and OCSF records (JSON lines) under the state
//   directory's export/ unless CHAPERONE_EXPORT_SINKS names other sinks.
// - Stopping: SIGINT, SIGTERM or SIGHUP (to npm, which forwards them, or to this process), or the
//   death of npm itself, stops the services one by one, the ingress first, then what this started.
'use strict';
const { existsSync, mkdirSync, writeFileSync } = require('node:fs');
const { homedir } = require('node:os');
const path = require('node:path');
const { generateKeyPairSync, randomBytes } = require('node:crypto');
const { ROOT, SERVICES, ensureNats, makeServingCert, agentKubeconfig, startServices, stopService, stopServices } = require('./stack');
const { acquireStartLock } = require('./process/start-lock');
const { watchParent, ignoreBrokenOutput } = require('./process/parent-watch');
const { stateDir, busPrefix } = require('./process/local-settings');

const STATE = stateDir();
// Who may sign in to the console on the demo issuer (the same identities as the tokens written below).
const DEMO_USERS = [
  { subject: 'alice', groups: ['approvers'], label: 'approver' },
  { subject: 'bob', groups: ['approvers'], label: 'approver' },
  { subject: 'demo-auditor', groups: ['compliance'], label: 'auditor: sessions, reports, evidence' },
];
const say = (msg) => process.stdout.write(`[chaperone] ${msg}\n`);
const rel = (p) => path.relative(process.cwd(), p) || '.';

function hasCluster(env) {
  if (env.CHAPERONE_UPSTREAM_URL || env.CHAPERONE_UPSTREAM_KUBECONFIG || env.CHAPERONE_UPSTREAM_IN_CLUSTER === 'true') return true;
  const kube = (env.KUBECONFIG || '').split(':').filter(Boolean);
  return kube.some((p) => existsSync(p)) || existsSync(path.join(homedir(), '.kube', 'config'));
}

/** The Ed25519 key pair that signs chain checkpoints for local runs (created once). */
function ensureCheckpointKeys(dir) {
  const privateKeyFile = path.join(dir, 'checkpoint-key.pem');
  const publicKeyFile = path.join(dir, 'checkpoint-public.pem');
  if (!existsSync(privateKeyFile) || !existsSync(publicKeyFile)) {
    const { privateKey, publicKey } = generateKeyPairSync('ed25519');
    writeFileSync(privateKeyFile, privateKey.export({ format: 'pem', type: 'pkcs8' }), { mode: 0o600 });
    writeFileSync(publicKeyFile, publicKey.export({ format: 'pem', type: 'spki' }));
  }
  return { privateKeyFile, publicKeyFile };
}

/**
 * Stopping, in order: the services newest first (the MCP door and the ingress stop taking requests
 * before what they depend on goes away), then what this process started (demo cluster, NATS).
 * Idempotent: npm forwards a terminal's Ctrl-C that the terminal already sent to this process.
 */
function makeStopper(lock) {
  const spawned = [];
  const cleanups = [];
  let stopping;
  const stop = (reason, code) => {
    stopping ??= (async () => {
      const names = spawned.filter((s) => s.child.exitCode === null && s.child.signalCode === null).map((s) => s.name);
      if (names.length > 0) say(`stopping (${reason}): ${names.reverse().join(', ')}`);
      const killed = [];
      // Twice over: a service spawned while the first pass ran (a stop during start-up) is caught.
      for (let pass = 0; pass < 2; pass++) killed.push(...(await stopServices(spawned)));
      for (const c of cleanups.reverse()) await c();
      lock.release();
      say(`stopped${killed.length > 0 ? ` (${killed.join(', ')} did not stop within 10 s and were killed)` : ''}`);
      process.exit(code);
    })();
    return stopping;
  };
  return { spawned, cleanups, stop, isStopping: () => stopping !== undefined };
}

/** Stop a process this script started (nats-server) and wait until it has exited. */
function stopChild(child) {
  return stopService({ child });
}

async function main() {
  mkdirSync(STATE, { recursive: true });
  const lock = acquireStartLock(STATE);
  if (lock.holder) {
    const { pid, ingress, startedAt } = lock.holder;
    say(`Chaperone is already running from ${rel(STATE)} (pid ${pid}, started ${startedAt}${ingress ? `, ingress ${ingress}` : ', still starting'}).`);
    say(`Use that one, or stop it first (Ctrl-C in its terminal, or: kill ${pid}).`);
    process.exitCode = 1;
    return;
  }
  const { spawned, cleanups, stop, isStopping } = makeStopper(lock);
  process.on('SIGINT', () => void stop('SIGINT', 0));
  process.on('SIGTERM', () => void stop('SIGTERM', 0));
  // The terminal went away: stop the services too (for them SIGHUP means reload, not stop).
  process.on('SIGHUP', () => {
    ignoreBrokenOutput();
    void stop('SIGHUP', 0);
  });
  // npm (or whatever started this) was killed outright: nobody will ever send a signal.
  watchParent(() => {
    ignoreBrokenOutput();
    void stop('its parent process is gone', 0);
  });

  const natsUrl = process.env.CHAPERONE_NATS_URL || 'nats://127.0.0.1:4222';
  const prefix = busPrefix();
  const natsStore = path.join(STATE, 'nats');
  const nats = await ensureNats(natsUrl, natsStore, say, { detached: true });
  if (nats.started) {
    cleanups.push(() => stopChild(nats.started));
    say(`NATS: ${natsUrl}, a nats-server started for this run (store ${rel(natsStore)}); it stops with Chaperone.`);
  } else {
    say(`NATS: ${natsUrl} (already running). Chaperone's streams there use the bus prefix "${prefix}" and stay after a stop; \`npm run reset\` deletes them.`);
  }

  const env = {
    CHAPERONE_NATS_URL: natsUrl,
    CHAPERONE_POLICY_FILE: process.env.CHAPERONE_POLICY_FILE || path.join(ROOT, 'deploy', 'policy.example.yaml'),
    // Registers demo-agent (its owner, purpose and scope); unregistered agents are refused.
    CHAPERONE_AGENTS_FILE: process.env.CHAPERONE_AGENTS_FILE || path.join(ROOT, 'deploy', 'agents.example.yaml'),
  };

  // The exporter's sinks: Kubernetes audit events and OCSF records as JSON lines in the state directory.
  if (!process.env.CHAPERONE_EXPORT_SINKS) {
    const exportDir = path.join(STATE, 'export');
    mkdirSync(exportDir, { recursive: true });
    env.CHAPERONE_EXPORT_SINKS = `k8s-audit=k8s-audit:file:${path.join(exportDir, 'k8s-audit.jsonl')},ocsf=ocsf:file:${path.join(exportDir, 'ocsf.jsonl')}`;
  }

  // Signed checkpoints of the evidence chains: a dev key, kept with the local NATS store so that
  // checkpoints written by earlier runs still verify. Production keys come from a secret.
  if (!process.env.CHAPERONE_CHECKPOINT_KEY_FILE) {
    const keys = ensureCheckpointKeys(STATE);
    env.CHAPERONE_CHECKPOINT_KEY_FILE = keys.privateKeyFile;
    env.CHAPERONE_CHECKPOINT_PUBLIC_KEY_FILE = keys.publicKeyFile;
    env.CHAPERONE_CHECKPOINT_INTERVAL_SECONDS = process.env.CHAPERONE_CHECKPOINT_INTERVAL_SECONDS || '10';
  }

  // TLS for the agent-facing surface: kubectl sends bearer tokens over HTTPS only.
  if (!process.env.CHAPERONE_TLS_CERT_FILE) {
    const cert = await makeServingCert(path.join(STATE, 'tls'));
    env.CHAPERONE_TLS_CERT_FILE = cert.certFile;
    env.CHAPERONE_TLS_KEY_FILE = cert.keyFile;
    env.caPem = cert.certPem;
  }

  // Agent identities: a demo issuer unless a real one is configured.
  let demoIssuer;
  if (!process.env.CHAPERONE_OIDC_ISSUER) {
    const { createLocalIssuer } = require('@chaperone/auth');
    demoIssuer = await createLocalIssuer({ issuer: 'https://demo-issuer.chaperone.local', audience: 'chaperone' });
    demoIssuer.writeJwksFile(path.join(STATE, 'demo-jwks.json'));
    env.CHAPERONE_OIDC_ISSUER = demoIssuer.issuer;
    env.CHAPERONE_OIDC_AUDIENCES = 'chaperone';
    env.CHAPERONE_OIDC_JWKS_FILE = path.join(STATE, 'demo-jwks.json');
    // The console's sign-in (authorization code + PKCE) against the same demo issuer: pick a user, no password.
    const { serveDemoLogin } = require('@chaperone/auth');
    const login = await serveDemoLogin({ issuer: demoIssuer, users: DEMO_USERS, port: Number(process.env.CHAPERONE_DEMO_LOGIN_PORT || 0) });
    cleanups.push(() => login.close());
    env.CHAPERONE_CONSOLE_OIDC_AUTHORIZE_URL = `${login.url}/authorize`;
    env.CHAPERONE_CONSOLE_OIDC_TOKEN_URL = `${login.url}/token`;
  }

  if (!hasCluster(process.env)) {
    const { startTestApiServer } = require('@chaperone/test-apiserver');
    const token = randomBytes(24).toString('hex');
    const demo = await startTestApiServer({ bearerToken: token });
    cleanups.push(() => demo.close());
    writeFileSync(path.join(STATE, 'demo-cluster-token'), token, { mode: 0o600 });
    env.CHAPERONE_UPSTREAM_URL = demo.url;
    env.CHAPERONE_UPSTREAM_TOKEN_FILE = path.join(STATE, 'demo-cluster-token');
    say('*** No Kubernetes cluster configured (KUBECONFIG, ~/.kube/config, CHAPERONE_UPSTREAM_*).');
    say(`*** Using the DEMO CLUSTER: an in-memory Kubernetes API test server at ${demo.url}. Nothing real is changed.`);
  }

  const { caPem, ...serviceEnv } = env;
  const running = [];
  const printLine = (name, line) => process.stdout.write(`[${name}] ${line}\n`);
  const onSpawn = (s) => {
    spawned.push(s);
    s.child.once('exit', (code, signal) => {
      // Before its ready line, the start-up loop reports why it failed.
      if (isStopping() || s.health === undefined) return;
      say(`${s.name} stopped unexpectedly (${signal ?? `exit code ${code}`}); stopping the others`);
      void stop(`${s.name} stopped`, 1);
    });
  };
  try {
    // The ingress's own certificate is the CA the MCP service pins (unless one is configured).
    const caFile = process.env.CHAPERONE_MCP_INGRESS_CA_FILE || env.CHAPERONE_TLS_CERT_FILE;
    await startServices(SERVICES, serviceEnv, { running, caFile, onLine: printLine, onSpawn, shouldStop: isStopping });
    if (isStopping()) return;
  } catch (e) {
    // A stop during start-up makes the service being started exit early: not an error then.
    if (isStopping()) return;
    say(e.message);
    await stop('a service did not start', 1);
    return;
  }

  const ingress = running.find((s) => s.name === 'ingress');
  const server = ingress.urls.find((u) => u.startsWith('https://')) || ingress.urls[0];
  lock.update({ ingress: server, natsUrl, prefix });
  if (demoIssuer && caPem) {
    const token = await demoIssuer.sign({ sub: 'demo-agent', agent: 'demo-agent', groups: ['agents'] }, { expiresIn: 24 * 3600 });
    const file = path.join(STATE, 'agent.kubeconfig');
    writeFileSync(file, agentKubeconfig({ server, caPem, token }), { mode: 0o600 });
    say(`Chaperone is running. The agent "demo-agent" (group "agents") has a kubeconfig, valid 24 h:`);
    say(`  kubectl --kubeconfig ${path.relative(process.cwd(), file)} get pods`);
    // The same token for MCP clients (docs/mcp.md): the MCP door sends every call to the ingress as this agent.
    const agentTokenFile = path.join(STATE, 'agent.token');
    writeFileSync(agentTokenFile, token, { mode: 0o600 });
    const mcp = running.find((s) => s.name === 'mcp');
    if (mcp) {
      say(`MCP clients: ${mcp.health.replace(/\/healthz$/, '')}/mcp with the bearer token in ${path.relative(process.cwd(), agentTokenFile)} (docs/mcp.md), or over stdio:`);
      say(`  CHAPERONE_MCP_URL=${mcp.health.replace(/\/healthz$/, '')}/mcp CHAPERONE_TOKEN_FILE=${path.relative(process.cwd(), agentTokenFile)} npx chaperone mcp --stdio`);
    }
    // Two demo approvers (group "approvers", as deploy/policy.example.yaml asks): rules may need two.
    const approvals = running.find((s) => s.name === 'approval');
    const approvalUrl = (approvals && approvals.urls[0]) || 'http://127.0.0.1:9403';
    for (const who of ['alice', 'bob']) {
      const approverToken = await demoIssuer.sign({ sub: who, groups: ['approvers'] }, { expiresIn: 24 * 3600 });
      writeFileSync(path.join(STATE, `approver-${who}.token`), approverToken, { mode: 0o600 });
    }
    say(`Approvers "alice" and "bob" (group "approvers") have tokens in ${path.relative(process.cwd(), STATE)}/approver-*.token; the approvers API is ${approvalUrl}:`);
    say(`  CHAPERONE_APPROVAL_URL=${approvalUrl} CHAPERONE_TOKEN=$(cat ${path.relative(process.cwd(), STATE)}/approver-alice.token) npx chaperone approvals list`);
    // A compliance reader for the reports API (sessions, replays, SOC 2 reports).
    const auditor = await demoIssuer.sign({ sub: 'demo-auditor', groups: ['compliance'] }, { expiresIn: 24 * 3600 });
    const tokenFile = path.join(STATE, 'compliance.token');
    writeFileSync(tokenFile, auditor, { mode: 0o600 });
    const reports = running.find((s) => s.name === 'reports');
    const reportsUrl = reports.health.replace(/\/healthz$/, '');
    say(`Reports (group "compliance"; token in ${path.relative(process.cwd(), tokenFile)}, valid 24 h) at ${reportsUrl}:`);
    say(`  CHAPERONE_TOKEN=$(cat ${path.relative(process.cwd(), tokenFile)}) npx chaperone report soc2 --format html --out report.html`);
    // demo-agent run by bob: its requests are bob's own, so the approvers API refuses bob as their approver.
    const bobAgent = await demoIssuer.sign({ sub: 'bob', agent: 'demo-agent', groups: ['agents'] }, { expiresIn: 24 * 3600 });
    writeFileSync(path.join(STATE, 'bob-agent.kubeconfig'), agentKubeconfig({ server, caPem, token: bobAgent }), { mode: 0o600 });
    const consoleService = running.find((s) => s.name === 'console');
    if (consoleService) {
      say(`Web console: ${consoleService.health.replace(/\/healthz$/, '')}/ (demo sign-in as alice, bob or demo-auditor; docs/console.md)`);
    }
  } else {
    say(`Chaperone is running at ${server}`);
  }
  const exporter = running.find((s) => s.name === 'exporter');
  if (exporter && !process.env.CHAPERONE_EXPORT_SINKS) say(`Evidence exported as Kubernetes audit events and OCSF records to ${rel(path.join(STATE, 'export'))}/ (CHAPERONE_EXPORT_SINKS; lag on ${exporter.health.replace(/\/healthz$/, '')}/metrics)`);
  say('Press Ctrl-C to stop.');
}

main().catch((e) => {
  process.stderr.write(`[chaperone] ${e.message}\n`);
  process.exit(1);
});
