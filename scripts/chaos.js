#!/usr/bin/env node
// `npm run chaos`: kill Chaperone's processes under load and check that the evidence holds.
//
// Starts its own nats-server (a free port of 127.0.0.1, its store in a temporary directory), the
// test API server as the cluster and every service with as many replicas as deploy/kubernetes runs,
// on a bus prefix of its own. A bounded number of agents keep reading pods, reading a masked
// secret and deleting and re-creating a pod over HTTPS (scripts/chaos/load.js). Then, one fault at a
// time: SIGKILL a replica of each service in turn (and, without --short, all replicas of it), or
// the NATS server itself, wait, start it again (same port and store), keep the load on until a
// request succeeds after the restart, pause the load, let the audit service store the bus backlog
// and check (scripts/chaos/checks.js):
//   - nothing reached the cluster without a stored interception and a decision that let it through;
//   - every 2xx the client saw has its interception, decision and completion stored;
//   - no event is stored twice, no request has two ends;
//   - the store verifies (chains, signed checkpoints, completeness: libs/evidence-chain);
//   - no request took longer than 5 s; and how long until the first success after the restart.
// Prints a table (also chaos-results/latest.md and .json; every process's output in
// chaos-results/logs/) and exits 1 on any violation.
//
// Usage: node scripts/chaos.js [--short] [--clients n]
//   --short   one replica per service and shorter pauses: about two minutes, for CI
// Everything runs on 127.0.0.1; every process it starts ends with it (also on error and Ctrl-C),
// its streams are deleted and its directory removed.
'use strict';
const { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { randomUUID } = require('node:crypto');
const { ROOT, GATEWAY_SERVICES: SERVICES, deleteStreams } = require('./stack');
const { track, stopAll } = require('./bench/lib/processes');
const { startOwnNats } = require('./chaos/nats-server');
const { startGateway, manifestReplicas } = require('./chaos/gateway');
const { startLoad } = require('./chaos/load');
const { openEvidence } = require('./chaos/evidence');
const { checkPhase } = require('./chaos/checks');
const { report } = require('./chaos/table');

const TIMING = {
  full: { warmMs: 3000, pauseMs: 3000, afterReadyMs: 5000, clients: 6 },
  short: { warmMs: 1000, pauseMs: 1000, afterReadyMs: 1000, clients: 4 },
};
/** Bounds: a restart that is not ready, a store that does not catch up, no success after a restart. */
const READY_TIMEOUT_MS = 60_000;
const DRAIN_TIMEOUT_MS = 60_000;
const RECOVERY_WAIT_MS = 30_000;
/**
 * A request a killed ingress replica let through is closed by the audit service's reconciler once
 * the replica has been silent CHAPERONE_RECONCILE_REPLICA_SILENCE_MS (8 s): open requests are
 * given that long, and the backlog stored again, before they count as unfinished.
 */
const RECONCILE_WAIT_MS = 30_000;

function parseArgs(argv) {
  const opts = { short: false, clients: undefined };
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--short') opts.short = true;
    else if (argv[i] === '--clients' && /^\d+$/.test(argv[i + 1] ?? '') && Number(argv[i + 1]) > 0) opts.clients = Number(argv[++i]);
    else throw new Error(`usage: chaos.js [--short] [--clients n] (bad: ${argv[i]})`);
  }
  return opts;
}

/**
 * The faults of a run: each service's replicas in turn, then NATS. The reports service first: it
 * replays the evidence store when it starts, and the store is smallest then.
 */
function faultsFor(replicas, short) {
  const faults = [];
  for (const service of ['reports', ...SERVICES.filter((s) => s !== 'reports')]) {
    const n = replicas[service];
    faults.push({ name: n > 1 ? `${service} (1 of ${n} replicas)` : service, service, indexes: [0] });
    if (!short && n > 1) faults.push({ name: `${service} (all ${n} replicas)`, service, indexes: Array.from({ length: n }, (_, i) => i) });
  }
  faults.push({ name: 'nats-server', service: 'nats' });
  return faults;
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** The promise, or an error after ms; the timer ends with it (a pending one would keep the run from exiting). */
function withTimeout(promise, ms, message) {
  let timer;
  const timeout = new Promise((_, reject) => (timer = setTimeout(() => reject(new Error(message)), ms)));
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  const timing = TIMING[opts.short ? 'short' : 'full'];
  const started = Date.now();
  // Seconds since the start on every line: where a run spends its time.
  const log = (s) => console.log(`[chaos ${((Date.now() - started) / 1000).toFixed(1).padStart(5)} s] ${s}`);
  const runId = randomUUID().slice(0, 8);
  const dir = mkdtempSync(path.join(os.tmpdir(), 'chaperone-chaos-'));
  const resultsDir = path.join(ROOT, 'chaos-results');
  const logDir = path.join(resultsDir, 'logs');
  rmSync(logDir, { recursive: true, force: true });
  mkdirSync(logDir, { recursive: true });

  let nats;
  let gateway;
  let load;
  let evidence;
  let cleaning;
  const cleanup = () =>
    (cleaning ??= (async () => {
      if (load) load.close();
      if (evidence) await evidence.close().catch(() => {});
      await stopAll({ keep: ['nats-server'] });
      log('every service stopped');
      if (nats && gateway) await deleteStreams(nats.url, gateway.subjects).catch((e) => log(`could not delete the run's streams: ${e.message}`));
      await stopAll();
      rmSync(dir, { recursive: true, force: true });
      log('cleaned up');
    })());
  for (const signal of ['SIGINT', 'SIGTERM']) {
    process.on(signal, () => {
      log(`${signal}: stopping every process the run started`);
      cleanup().finally(() => process.exit(130));
    });
  }

  try {
    // With --short one replica each: the faults are the same, the start is half as long.
    const replicas = opts.short ? Object.fromEntries(SERVICES.map((s) => [s, 1])) : manifestReplicas();
    nats = await startOwnNats({ storeDir: path.join(dir, 'nats'), track, log });
    gateway = await startGateway({ dir, logDir, natsUrl: nats.url, runId, clients: opts.clients ?? timing.clients, replicas, track, log });
    const caPem = readFileSync(path.join(dir, 'tls', 'tls.crt'), 'utf8');
    load = startLoad({ runId, urls: gateway.ingressUrls, tokens: gateway.tokens, caPem });
    evidence = await openEvidence({ natsUrl: nats.url, subjects: gateway.subjects, publicKeyFile: gateway.publicKeyFile, runId });
    log(`${gateway.tokens.length} clients over ${gateway.ingressUrls.join(', ')}; bus prefix ${gateway.subjects.prefix}`);

    const apiLog = [];
    const attributed = new Set();
    const results = [];
    const phases = [{ name: 'none (baseline)' }, ...faultsFor(replicas, opts.short)];
    for (let p = 0; p < phases.length; p++) {
      const fault = phases[p];
      const t = {};
      const phaseStart = Date.now();
      load.setPhase(p);
      load.resume();
      await sleep(timing.warmMs);
      if (fault.service) {
        log(`${fault.name}: SIGKILL`);
        t.killAt = Date.now();
        if (fault.service === 'nats') await nats.kill();
        else await gateway.kill(fault.service, fault.indexes);
        await sleep(timing.pauseMs);
        t.restartAt = Date.now();
        const restart = fault.service === 'nats' ? nats.restart() : gateway.restart(fault.service, fault.indexes);
        await withTimeout(restart, READY_TIMEOUT_MS, `${fault.name} was not ready ${READY_TIMEOUT_MS / 1000} s after its restart`);
        t.readyAt = Date.now();
        if (fault.service === 'nats' || (fault.service === 'audit' && fault.indexes.length === replicas.audit)) t.storeBackAt = t.readyAt;
        log(`${fault.name}: restarted, ready after ${((t.readyAt - t.restartAt) / 1000).toFixed(1)} s`);
        // Keep the load on for a while, and until something succeeds after the restart (bounded).
        await sleep(timing.afterReadyMs);
        const until = Date.now() + RECOVERY_WAIT_MS;
        while (Date.now() < until && !load.entries.some((e) => e.phase === p && e.start >= t.restartAt && e.status >= 200 && e.status < 300)) await sleep(100);
      } else {
        await sleep(timing.afterReadyMs);
      }
      await load.pause();
      const drain = await evidence.drain(DRAIN_TIMEOUT_MS);
      const wentBefore = evidence.wentBack.length;
      await evidence.catchUp();
      for (;;) {
        const { log: records, next } = await gateway.requestLog(apiLog.length);
        apiLog.push(...records);
        if (records.length === 0 || next === apiLog.length) break;
      }
      let verification = await evidence.verify();
      for (const until = Date.now() + RECONCILE_WAIT_MS; (verification.completeness?.incomplete.length ?? 0) > 0 && Date.now() < until; ) {
        await sleep(1000);
        await evidence.drain(DRAIN_TIMEOUT_MS);
        await evidence.catchUp();
        verification = await evidence.verify();
      }
      const result = checkPhase({
        phase: p,
        fault: fault.name,
        entries: load.entries,
        apiLog,
        index: evidence.index,
        report: verification,
        attributed,
        timing: t,
        drain,
        wentBack: evidence.wentBack.slice(wentBefore),
        runId,
      });
      results.push(result);
      const r = result.row;
      log(
        `${fault.name}: ${r.requests} requests, ${r.ok} 2xx, ${r.refused} 5xx, ${r.noAnswer} no answer; backlog stored ${r.drainS.toFixed(1)} s after the load paused; ` +
          `phase ${((Date.now() - phaseStart) / 1000).toFixed(0)} s; ${result.violations.length === 0 ? 'no violation' : result.violations.map((v) => `${v.kind}: ${v.count}`).join('; ')}`,
      );
    }

    const table = report(results);
    const violations = results.reduce((n, r) => n + r.violations.length, 0);
    const summary = `${violations === 0 ? 'PASS' : 'FAIL'}: ${violations} violation(s) over ${results.length - 1} faults, ${load.entries.length} requests, ${evidence.index.events} stored events, in ${((Date.now() - started) / 1000).toFixed(0)} s`;
    console.log(`\n${table}\n\n${summary}\n`);
    mkdirSync(resultsDir, { recursive: true });
    writeFileSync(path.join(resultsDir, 'latest.md'), `${table}\n\n${summary}\n`);
    writeFileSync(path.join(resultsDir, 'latest.json'), JSON.stringify({ when: new Date().toISOString(), short: opts.short, replicas, results }, null, 2));
    log(`written chaos-results/latest.md and latest.json; process output in chaos-results/logs/`);
    process.exitCode = violations === 0 ? 0 : 1;
  } finally {
    await cleanup();
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
