#!/usr/bin/env node
// `npm run bench`: what Chaperone costs per Kubernetes request, side by side in one run.
//
// Starts its own NATS server (unless CHAPERONE_NATS_URL names one), the test API server (HTTPS,
// its own process), a bare pass-through proxy (node + http-proxy-3, HTTPS, its own process) and
// Chaperone's services, then drives the same requests through (a) the API server directly, (b) the
// bare proxy, (c) Chaperone. Per scenario: maximum throughput (autocannon's closed loop, over as many
// connections as saturate each target: --connections, doubled while throughput grows), then a run
// at a constant arrival rate of half of Chaperone's maximum for every target (paced, open loop:
// lib/timing.js pacedGets; the latency goals are stated at that load; on the allow path also at
// lower shares of the maximum: latencyByLoad), peak RSS of every
// process, NATS messages and JetStream writes per request on Chaperone's runs, and watch events
// per second. Ends with a memory-flatness (soak) run. Prints markdown tables and writes
// bench-results/latest.json and bench-results/latest.md, then renders docs/performance.md from them.
//
// Usage: node scripts/bench [overhead] [--duration 8] [--connections 10 (the first count; the paced runs' sockets)] [--soak 30] [--watch-events 20000]
//          [--only <scenario>] [--nats-monitor http://host:8222]
// --soak 0 / --watch-events 0 skip the soak / the watch run; --proofs N: events in the Merkle proof
// section (1,000,000; 0 skips it); --recording 0 skips recording cost and exec throughput; --mcp 0 skips
// the MCP tool call's overhead (lib/).
// --only runs one scenario's HTTP runs and writes bench-results/only-<scenario>.{json,md} instead (no watch, soak, nor latest.*).
// With CHAPERONE_NATS_URL the bench uses that server; its message counters are read only from the
// monitoring URL given with --nats-monitor (else n/a), and count every client of a shared server.
// Every process it starts ends with it (also on error and Ctrl-C); its JetStream streams are deleted.
'use strict';
const https = require('node:https');
const { mkdtempSync, mkdirSync, rmSync, writeFileSync } = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { randomUUID } = require('node:crypto');
const { performance } = require('node:perf_hooks');
const autocannon = require('autocannon');
const { busSubjects } = require('@chaperone/contracts');
const { createLocalIssuer } = require('@chaperone/auth');
const { ROOT, GATEWAY_SERVICES, ensureNats, makeServingCert, startService, gatewayServiceEnv, deleteStreams } = require('../stack');
const { startOwnNats } = require('./lib/nats-server');
const { openNatsCounters, busBackground, unavailable, figure } = require('./lib/nats-counters');
const { BENCH_NAMESPACE } = require('./lib/fixtures');
const { summarize, sequentialGets, pacedGets } = require('./lib/timing');
const { STEPS, readIngressSteps, stepMeans } = require('./lib/ingress-steps');
const { LONG_PAUSE_SECONDS, readGcPauses, gcPausesBetween, gcLine } = require('./lib/gc-pauses');
const { policyDecisionTimes } = require('./lib/policy-rules');
const { watchExternalNats, track, forkHelper, stopAll, memoryOf, measuredProcesses, sampleMemory, measureCpu, chaperoneCpuMs } = require('./lib/processes');
const { startDesignFloor, floorCpuMs } = require('./lib/design-floor');
const { kernelMemoryMonitors, monitorsLine } = require('./lib/kernel-memory-monitor');
const { HALF_MAX_BOUNDS, withinHalfMaxBounds } = require('./lib/latency-goals');

const GATEWAY_TOKEN = 'bench-gateway-token';

const STRING_OPTIONS = ['only', 'natsMonitor'];
/** Parts of the run that 0 turns off. */
const SKIPPABLE = ['soak', 'watchEvents', 'proofs', 'recording', 'mcp', 'floor'];

function parseArgs(argv) {
  const opts = { duration: 8, connections: 10, soak: 30, watchEvents: 20000, proofs: 1_000_000, recording: 1, mcp: 1, floor: 1, only: '', natsMonitor: '' };
  const usage = (bad) =>
    new Error(
      `usage: node scripts/bench [overhead] [--duration s] [--connections n] [--soak s|0] [--watch-events n|0] [--proofs n|0] [--recording 1|0] [--mcp 1|0] [--floor 1|0] [--only ${SCENARIOS.map((s) => s.id).join('|')}] [--nats-monitor url] (bad: ${bad})`,
    );
  for (let i = 0; i < argv.length; i++) {
    const key = argv[i].replace(/^--/, '').replace(/-(\w)/g, (_, c) => c.toUpperCase());
    const raw = argv[++i];
    const isString = STRING_OPTIONS.includes(key);
    const value = isString ? raw : Number(raw);
    const valid = isString || (Number.isFinite(value) && (value > 0 || (value === 0 && SKIPPABLE.includes(key))));
    if (!(key in opts) || raw === undefined || !valid) throw usage(`${argv[i - 1]} ${raw ?? ''}`);
    opts[key] = value;
  }
  if (opts.only && !SCENARIOS.some((s) => s.id === opts.only)) throw usage(`--only ${opts.only}`);
  return opts;
}

const POLICY = `apiVersion: chaperone.dev/v1alpha1
kind: Policy
rules:
  - name: bench-read-raw
    effect: allow
    unmasked: true
    subjects: { groups: ["bench-raw"] }
    verbs: ["get", "list", "watch"]
    apiGroups: [""]
    resources: ["pods", "secrets", "configmaps"]
  - name: bench-read-masked
    effect: allow
    subjects: { groups: ["agents"] }
    verbs: ["get", "list", "watch"]
    apiGroups: [""]
    resources: ["pods", "secrets", "configmaps"]
`;

const AGENTS = `apiVersion: chaperone.dev/v1alpha1
kind: AgentRegistry
agents:
  - agent: bench-agent
    owner: bench@example.com
    purpose: npm run bench
    scope:
      namespaces: ["default", "${BENCH_NAMESPACE}"]
      verbs: ["get", "list", "watch"]
      resources: ["pods", "secrets", "configmaps"]
`;

/**
 * The bench's own NATS server, so that its message counters and CPU are the bench's alone; or the
 * one CHAPERONE_NATS_URL names (started there if nothing answers), counted through opts.natsMonitor.
 */
async function startNats(dir, opts, log) {
  const external = process.env.CHAPERONE_NATS_URL;
  if (!external) {
    if (opts.natsMonitor) log('--nats-monitor is only read with CHAPERONE_NATS_URL: the bench counts on its own NATS server');
    const own = await startOwnNats(path.join(dir, 'nats'), log);
    track('nats-server', own.child);
    return { natsUrl: own.url, monitorUrl: own.monitorUrl, exclusive: true };
  }
  const nats = await ensureNats(external, path.join(dir, 'nats'), log);
  if (nats.started) track('nats-server', nats.started);
  else watchExternalNats();
  if (!opts.natsMonitor) log(`NATS at ${external}: no --nats-monitor, so messages in and out are n/a`);
  else if (!nats.started) log(`NATS at ${external} may be shared: messages in and out count its other clients too`);
  return { natsUrl: external, monitorUrl: opts.natsMonitor || undefined, exclusive: false };
}

/** Starts every process; returns what the scenarios need. */
async function startStack(dir, opts, log) {
  const { natsUrl, monitorUrl, exclusive } = await startNats(dir, opts, log);
  const cert = await makeServingCert(path.join(dir, 'tls'));
  const api = await forkHelper('test API server', path.join(__dirname, 'lib', 'api-server.js'), [cert.certFile, cert.keyFile, GATEWAY_TOKEN]);
  const bare = await forkHelper('bare proxy', path.join(__dirname, 'lib', 'bare-proxy.js'), [cert.certFile, cert.keyFile, api.url, cert.certFile, GATEWAY_TOKEN]);
  writeFileSync(path.join(dir, 'upstream-token'), GATEWAY_TOKEN);
  const issuer = await createLocalIssuer({ issuer: 'https://bench-issuer', audience: 'chaperone' });
  issuer.writeJwksFile(path.join(dir, 'jwks.json'));
  writeFileSync(path.join(dir, 'policy.yaml'), POLICY);
  writeFileSync(path.join(dir, 'agents.yaml'), AGENTS);
  const subjects = busSubjects(`bench-${randomUUID().slice(0, 8)}`);
  const env = {
    ...gatewayServiceEnv({ natsUrl, subjects, dir, certFile: cert.certFile, keyFile: cert.keyFile, issuer: issuer.issuer, apiUrl: api.url }),
    // Registered like a production agent, so the registry check is part of what is measured.
    CHAPERONE_AGENTS_FILE: path.join(dir, 'agents.yaml'),
    CHAPERONE_MASKING_TIMEOUT_MS: '60000',
  };
  let ingressUrl;
  const metricsUrls = {};
  for (const name of GATEWAY_SERVICES) {
    const s = await startService(name, env);
    track(name, s.child);
    s.child.stdout.resume();
    s.child.stderr.resume();
    metricsUrls[name] = new URL('/metrics', s.health).href;
    if (name === 'ingress') ingressUrl = s.urls[0];
  }
  const counters = await openNatsCounters({ natsUrl, monitorUrl, exclusive, subjects, log }).catch((e) => {
    log(`NATS counters unavailable (${e.message}): n/a`);
    return unavailable;
  });
  const sign = (groups) => issuer.sign({ sub: `bench-${groups[0]}`, agent: 'bench-agent', groups }, { expiresIn: 24 * 3600 });
  return {
    natsUrl,
    subjects,
    counters,
    api,
    cert,
    metricsUrls,
    targets: {
      direct: { url: api.url, token: GATEWAY_TOKEN },
      bare: { url: bare.url, token: GATEWAY_TOKEN },
      raw: { url: ingressUrl, token: await sign(['bench-raw']) },
      masked: { url: ingressUrl, token: await sign(['agents']) },
    },
  };
}

/** autocannon at full speed over `connections` keep-alive connections. */
function closedLoop(target, urlPath, connections, duration) {
  return new Promise((resolve, reject) => {
    autocannon(
      {
        url: new URL(urlPath, target.url).toString(),
        connections,
        duration,
        timeout: 60,
        headers: { authorization: `Bearer ${target.token}`, accept: 'application/json' },
      },
      (err, r) => {
        if (err) return reject(err);
        resolve({
          requests: r['2xx'] + r.non2xx,
          // Including those still in flight when the run stopped (at most one per connection).
          sent: r.requests.sent,
          rps: +r.requests.average.toFixed(1),
          p50: r.latency.p50,
          p99: r.latency.p99,
          ok: r['2xx'],
          failed: r.non2xx + r.errors + r.timeouts,
          mbPerSecond: +(r.throughput.average / 1024 / 1024).toFixed(2),
        });
      },
    );
  });
}

/** A constant arrival rate (pacedGets): percentiles to the hundredth of a millisecond. */
async function pacedRun(target, urlPath, { rate, duration, connections, beforeMeasuring }) {
  const { times, ...counts } = await pacedGets(new URL(urlPath, target.url), { token: target.token, rate, duration, maxSockets: connections, beforeMeasuring });
  const { p50, p99 } = summarize(times, 2);
  return { ...counts, p50, p99 };
}

/** Warm-up: closed-loop windows of this many seconds ... */
const WARM_UP_WINDOW_S = 2;
/** ... until two in a row are within this share of each other ... */
const WARM_UP_SETTLED = 0.1;
/** ... or this many windows have run. */
const WARM_UP_MAX_WINDOWS = 8;

/**
 * Load until the target's throughput has settled, so the measured run sees every process on the
 * path in its steady state: optimising compilers done with the hot code, heaps grown to the load,
 * connection pools and the evidence's consumers at their pace. A fixed 2 s was not enough for
 * Chaperone's six processes: a measured run right after it gave a third to a half of the throughput
 * of the next one. Resolves with how many windows it took and the last one's throughput.
 */
async function warmUp(target, urlPath, connections) {
  let last;
  for (let window = 1; ; window++) {
    const { rps } = await closedLoop(target, urlPath, connections, WARM_UP_WINDOW_S);
    if (window === WARM_UP_MAX_WINDOWS || (last !== undefined && Math.abs(rps - last) <= WARM_UP_SETTLED * last)) return { windows: window, rps };
    last = rps;
  }
}

/** A target's maximum is looked for over --connections keep-alive connections times these, in turn ... */
const CONNECTION_STEPS = [1, 2, 4, 8];
/** ... each for this many seconds ... */
const PROBE_S = 3;
/** ... going on while the throughput still grows by more than this share. */
const STILL_GROWING = 0.05;

/**
 * How many connections a target's maximum needs. A closed loop keeps exactly `connections`
 * requests in flight, so its throughput is connections / latency until some process on the path is
 * busy all the time: a target whose requests make more hops needs more of them in flight to be
 * saturated, and measured at one count for all its figure would be its latency's inverse (which
 * the latency goals measure) rather than what it can carry. Doubles the count from `from` while
 * the throughput still grows; resolves with the count of the highest throughput and every probe.
 */
async function saturate(target, urlPath, from) {
  const probes = [];
  let best;
  for (const step of CONNECTION_STEPS) {
    const connections = from * step;
    const { rps } = await closedLoop(target, urlPath, connections, PROBE_S);
    probes.push({ connections, rps });
    const growing = !best || rps > best.rps * (1 + STILL_GROWING);
    if (!best || rps > best.rps) best = { connections, rps };
    if (!growing) break;
  }
  return { connections: best.connections, probes };
}

/**
 * One run; latency figures in ms. Without a rate, autocannon's closed loop (each connection sends
 * its next request when the last is answered): with `maximum`, the target's maximum, after a
 * warm-up and over as many connections as saturate it (saturate). With a rate, a paced open loop
 * at that constant arrival rate (pacedGets). With counters, NATS messages and JetStream writes per request too.
 * `unlisted` (the design floor) adds the CPU of processes kept out of the per-process tables.
 */
async function load(target, urlPath, { connections, duration, overallRate, maximum, counters, gcMetrics, unlisted }) {
  // Warmed up and saturated apart, so their requests' CPU and bus messages stay outside the measured window.
  const warmedUp = maximum ? await warmUp(target, urlPath, connections) : undefined;
  const saturated = maximum ? await saturate(target, urlPath, connections) : undefined;
  if (saturated) connections = saturated.connections;
  let natsWindow, cpu, unlistedCpu, memory, load1, gcBefore, measuredFrom;
  // A paced run warms its connections up at its rate first: the windows open after that.
  const measuring = async () => {
    natsWindow = counters ? await counters.start() : undefined;
    gcBefore = gcMetrics ? await readGcPauses(gcMetrics) : undefined;
    measuredFrom = performance.now();
    cpu = measureCpu();
    unlistedCpu = unlisted?.measureCpu();
    memory = sampleMemory();
    load1 = os.loadavg()[0];
  };
  let run;
  if (overallRate) {
    run = await pacedRun(target, urlPath, { rate: overallRate, duration, connections, beforeMeasuring: measuring });
  } else {
    await measuring();
    run = await closedLoop(target, urlPath, connections, duration);
  }
  const result = { ...run, ...(overallRate ? {} : { connections }), ...(warmedUp ? { warmUp: warmedUp } : {}), ...(saturated ? { probes: saturated.probes } : {}), loadAvg1m: [+load1.toFixed(2), +os.loadavg()[0].toFixed(2)], peakRssMb: memory.stop() };
  if (gcBefore) result.gcPauses = gcPausesBetween(gcBefore, await readGcPauses(gcMetrics), (performance.now() - measuredFrom) / 1000);
  // The evidence is finished after the responses: the CPU window closes once the bus has drained.
  if (natsWindow) result.nats = await natsWindow.stop(result.requests);
  const cpuSeconds = { ...cpu.stop(), ...unlistedCpu?.stop() };
  // CPU milliseconds each process spent per request: where the time goes, and the measure least
  // disturbed by other work on the machine (throughput and latency are not).
  result.cpuMsPerRequest = Object.fromEntries(Object.entries(cpuSeconds).map(([k, v]) => [k, result.requests > 0 ? +((v * 1000) / result.requests).toFixed(3) : null]));
  return result;
}

/** "NATS per request: ..." for a log line; empty for a run without counters. */
const natsLine = (r) =>
  r.nats
    ? `; NATS per request: msgs in ${figure(r.nats.msgsIn)}, out ${figure(r.nats.msgsOut)}, KB in ${figure(r.nats.kbIn)}, out ${figure(r.nats.kbOut)}, JetStream writes ${figure(r.nats.jetStreamWrites)}; bus busy ${figure(r.nats.drainSeconds)} s after the last response`
    : '';

const SCENARIOS = [
  { id: 'get-pod', label: 'get pod', path: '/api/v1/namespaces/default/pods/worker-0', variants: [['raw', '(c) allow, unmasked rule'], ['masked', '(c2) allow, default masking']] },
  { id: 'get-secret', label: 'get secret', path: '/api/v1/namespaces/default/secrets/db-credentials', variants: [['masked', '(d) masked']] },
  { id: 'list-1mb', label: 'list secrets, 1 MB', path: `/api/v1/namespaces/${BENCH_NAMESPACE}/secrets`, variants: [['masked', '(e) masked']] },
];

/** One keep-alive client, requests one after another, timed with performance.now(): sub-millisecond figures. */
async function sequentialLatency(target, urlPath, n) {
  const { times, failed } = await sequentialGets(new URL(urlPath, target.url), { token: target.token, n, warmUp: 20 });
  const { p50, p99 } = summarize(times);
  return { n, failed, p50, p99 };
}

/** Every target answers every scenario with 200 before anything is measured; otherwise say what it answered. */
async function preflight(stack) {
  for (const s of SCENARIOS) {
    for (const t of ['direct', 'bare', ...s.variants.map(([v]) => v)]) {
      const target = stack.targets[t];
      const { status, body } = await new Promise((resolve, reject) => {
        https
          .get(new URL(s.path, target.url), { rejectUnauthorized: false, headers: { authorization: `Bearer ${target.token}`, accept: 'application/json' } }, (res) => {
            const chunks = [];
            res.on('data', (c) => chunks.push(c));
            res.on('end', () => resolve({ status: res.statusCode, body: Buffer.concat(chunks).toString('utf8', 0, 300) }));
          })
          .on('error', reject);
      });
      if (status !== 200) throw new Error(`preflight: ${t} answered ${status} for ${s.path}: ${body}`);
    }
  }
}

async function httpScenarios(stack, opts, log) {
  const base = { connections: opts.connections, duration: opts.duration };
  const results = [];
  for (const s of SCENARIOS.filter((x) => !opts.only || x.id === opts.only)) {
    // The design's floor beside the allow path: measured right after Chaperone in each part, so the
    // machine's state is the same for both.
    const floor = s.id === FLOOR_SCENARIO && opts.floor ? await startFloor(stack, log) : undefined;
    try {
      results.push(...(await scenario(stack, s, base, floor, log)));
    } finally {
      await floor?.stop();
    }
  }
  return results;
}

const FLOOR_SCENARIO = 'get-pod';
const FLOOR_VARIANT = 'raw';

/** The goals' targets run again after their measured runs, alternating, in this many rounds ... */
const EXTRA_ROUNDS = 2;
/** ... a maximum-throughput one for this many seconds. */
const ROUND_S = 4;

/**
 * Each name measured once per round for EXTRA_ROUNDS rounds, the order reversed every other round:
 * name → its measurements in round order. A virtual machine's host changes speed within tens of
 * seconds (and how fast it wakes a sleeping process with it), so one run of each target, one after
 * the other, can catch one in a fast spell and another in a slow one; the goals take the median of
 * each target's measured run and these.
 */
async function alternatingRounds(names, measure) {
  const out = Object.fromEntries(names.map((n) => [n, []]));
  for (let round = 0; round < EXTRA_ROUNDS; round++) {
    for (const n of round % 2 === 0 ? names : [...names].reverse()) out[n].push(await measure(n));
  }
  return out;
}

const median = (xs) => summarize(xs).p50;

/**
 * What each target added over direct (p50 and p99, each on its own), per round against direct in the
 * same round, and as the median of three: the measured run and the rounds. `rounds` are
 * alternatingRounds' runs (direct among them), `measured` the measured run of each name (more names
 * may be there); 'chaperone' stands for `variant` in the result.
 */
function addedMedians(rounds, measured, variant) {
  const others = Object.keys(rounds).filter((t) => t !== 'direct');
  const over = (run, direct) => ({ p50: added(run.p50, direct.p50), p99: added(run.p99, direct.p99) });
  const name = (t) => (t === variant ? 'chaperone' : t);
  const perRound = Object.fromEntries(others.map((t) => [name(t), rounds[t].map((run, i) => over(run, rounds.direct[i]))]));
  const median3 = (t) => {
    const all = [over(measured[t], measured.direct), ...perRound[name(t)]];
    return { p50: median(all.map((x) => x.p50)), p99: median(all.map((x) => x.p99)) };
  };
  return { rounds: perRound, median: Object.fromEntries(others.map((t) => [name(t), median3(t)])) };
}

/** addedMedians' rounds and medians for a log line. */
const addedLine = (a) =>
  `added over direct p50 / p99: ${Object.entries(a.rounds).map(([t, rs]) => `${t} ${rs.map((x) => `${x.p50} / ${x.p99}`).join(', ')} ms`).join('; ')}; medians of 3: ${JSON.stringify(a.median)}`;

/** "10 connections 2500 req/s, 20 ..." for a saturation search's probes. */
const probesLine = (probes) => probes.map((p) => `${p.connections} connections ${p.rps} req/s`).join(', ');

/** "<name>: <rps> req/s (warm-up), p50, p99, failed; CPU; NATS" for a maximum-throughput run. */
const maxLine = (name, r) =>
  `  ${name}: ${r.rps} req/s over ${r.connections} connections (warmed up in ${r.warmUp.windows} × ${WARM_UP_WINDOW_S} s, last ${r.warmUp.rps} req/s; ${probesLine(r.probes)}), p50 ${r.p50} ms, p99 ${r.p99} ms, failed ${r.failed}; CPU ms/request ${JSON.stringify(r.cpuMsPerRequest)}${natsLine(r)}`;

async function startFloor(stack, log) {
  log('design floor: a gateway with none of Chaperone\'s work making the same hops (lib/floor-gateway.js)');
  return startDesignFloor({ natsUrl: stack.natsUrl, subjects: stack.subjects, certFile: stack.cert.certFile, keyFile: stack.cert.keyFile, apiUrl: stack.api.url, token: GATEWAY_TOKEN });
}

/** One scenario's runs: maximum throughput, then per variant half of its maximum and one client. */
async function scenario(stack, s, base, floor, log) {
  // Only Chaperone's runs (and the floor's) use the bus; direct and bare have nothing to count.
  const counted = (t) => (t === 'direct' || t === 'bare' ? {} : { counters: stack.counters });
  const targetOf = (t) => (t === 'floor' ? floor.target : stack.targets[t]);
  const results = [];
  log(`${s.label}: maximum throughput`);
  const max = {};
  for (const t of ['direct', 'bare', ...s.variants.map(([v]) => v)]) {
    max[t] = await load(stack.targets[t], s.path, { ...base, maximum: true, ...counted(t) });
    log(maxLine(t, max[t]));
    if (floor && t === FLOOR_VARIANT) {
      max.floor = await load(floor.target, s.path, { ...base, maximum: true, ...counted('floor'), unlisted: floor });
      log(maxLine('design floor', max.floor));
    }
  }
  let rounds;
  if (s.id === FLOOR_SCENARIO) {
    rounds = await alternatingRounds(['bare', FLOOR_VARIANT, ...(floor ? ['floor'] : [])], async (t) => (await closedLoop(targetOf(t), s.path, max[t].connections, ROUND_S)).rps);
    log(`  maximum again in ${EXTRA_ROUNDS} alternating rounds of ${ROUND_S} s: ${Object.entries(rounds).map(([t, rps]) => `${t} ${rps.join(' / ')} req/s`).join(', ')}`);
  }
  const medianRps = (t) => median([max[t].rps, ...rounds[t]]);
  for (const [variant, label] of s.variants) {
    const rate = Math.max(1, Math.floor(max[variant].rps / 2));
    log(`${s.label} ${label}: constant arrival rate ${rate} req/s (half of Chaperone's maximum)`);
    const half = {};
    for (const t of ['direct', 'bare', variant]) {
      half[t] = await load(stack.targets[t], s.path, { ...base, overallRate: rate, ...counted(t), ...(t === variant ? { gcMetrics: stack.metricsUrls } : {}) });
      log(`  ${t}: p50 ${half[t].p50} ms, p99 ${half[t].p99} ms, failed ${half[t].failed}${natsLine(half[t])}`);
    }
    const withFloor = floor && variant === FLOOR_VARIANT;
    // The targets of this variant's alternating rounds (addedMedians compares each with direct).
    const compared = ['direct', variant, ...(withFloor ? ['floor'] : [])];
    if (withFloor) {
      half.floor = await load(floor.target, s.path, { ...base, overallRate: rate, ...counted('floor'), unlisted: floor });
      log(`  design floor: p50 ${half.floor.p50} ms, p99 ${half.floor.p99} ms, failed ${half.floor.failed}${natsLine(half.floor)}`);
    }
    if (half[variant].gcPauses) log(`  garbage-collection pauses meanwhile: ${gcLine(half[variant].gcPauses)}`);
    // The half-maximum goal's figures (the allow path only: three paced runs per target are long).
    let halfAdded;
    let loadCurve;
    if (s.id === FLOOR_SCENARIO && variant === FLOOR_VARIANT) {
      const paced = await alternatingRounds(compared, (t) => pacedRun(targetOf(t), s.path, { rate, duration: ROUND_S, connections: base.connections }));
      halfAdded = addedMedians(paced, half, variant);
      log(`  at ${rate} req/s again in ${EXTRA_ROUNDS} alternating rounds of ${ROUND_S} s, ${addedLine(halfAdded)}`);
      loadCurve = await latencyByLoad(max[variant].rps, (t, r) => pacedRun(targetOf(t), s.path, { rate: r, duration: ROUND_S, connections: base.connections }), compared, (t) => (t === variant ? 'chaperone' : t), log);
    }
    const n = s.id === 'list-1mb' ? 50 : 500;
    const one = {};
    for (const t of ['direct', 'bare']) one[t] = await sequentialLatency(stack.targets[t], s.path, n);
    const stepsBefore = await readIngressSteps(stack.metricsUrls.ingress);
    one[variant] = await sequentialLatency(stack.targets[variant], s.path, n);
    const steps = stepMeans(stepsBefore, await readIngressSteps(stack.metricsUrls.ingress));
    if (withFloor) one.floor = await sequentialLatency(floor.target, s.path, n);
    log(`  one client, sequential (n=${n}): direct p50 ${one.direct.p50} ms, bare ${one.bare.p50} ms, Chaperone ${one[variant].p50} ms${one.floor ? `, design floor ${one.floor.p50} ms` : ''}`);
    const sequential = await alternatingRounds(compared, (t) => sequentialLatency(targetOf(t), s.path, Math.ceil(n / 2)));
    const oneClientAdded = addedMedians(sequential, one, variant);
    log(`  one client again in ${EXTRA_ROUNDS} alternating rounds (n=${Math.ceil(n / 2)}), ${addedLine(oneClientAdded)}`);
    log(`  what the ingress waited on (mean ms of ${steps.requests} requests): ${STEPS.map((st) => `${st} ${steps.steps[st] ?? '-'}`).join(', ')}; whole request ${steps.requestMs}`);
    results.push({
      scenario: s.id,
      variant,
      variantLabel: label,
      label: `${s.label} ${label}`,
      path: s.path,
      halfRate: rate,
      max: { direct: max.direct, bare: max.bare, chaperone: max[variant] },
      half: { direct: half.direct, bare: half.bare, chaperone: half[variant] },
      sequential: { direct: one.direct, bare: one.bare, chaperone: one[variant] },
      steps,
      oneClientAdded,
      ...(halfAdded ? { halfAdded } : {}),
      ...(loadCurve ? { loadCurve } : {}),
      ...(withFloor ? { floor: { max: max.floor, half: half.floor, sequential: one.floor } } : {}),
      ...(rounds && variant === FLOOR_VARIANT
        ? { throughputRounds: { ...rounds, median: { bare: medianRps('bare'), chaperone: medianRps(variant), ...(floor ? { floor: medianRps('floor') } : {}) } } }
        : {}),
    });
  }
  return results;
}

/** The shares of Chaperone's maximum below half at which the allow path's latency is measured too. */
const LOAD_SHARES = [0.125, 0.25, 0.375];

/**
 * Latency at lower shares of Chaperone's maximum than the goal's half: one paced run of each target
 * per share, the order reversed every other share. Where the goal's bounds are missed at half of the
 * maximum, this says up to what load they hold, which is what sizing a deployment needs. One run a
 * point: a figure to read beside its neighbours, not a goal's median.
 */
async function latencyByLoad(maxRps, paced, targets, nameOf, log) {
  const curve = [];
  for (const [i, share] of LOAD_SHARES.entries()) {
    const rate = Math.max(1, Math.floor(maxRps * share));
    const runs = {};
    for (const t of i % 2 === 0 ? targets : [...targets].reverse()) runs[t] = await paced(t, rate);
    const over = (t) => ({ p50: added(runs[t].p50, runs.direct.p50), p99: added(runs[t].p99, runs.direct.p99) });
    const point = { share, rate, direct: pick(runs.direct), added: Object.fromEntries(targets.filter((t) => t !== 'direct').map((t) => [nameOf(t), over(t)])) };
    curve.push(point);
    log(`  at ${rate} req/s (${share * 100} % of the maximum): direct p50 ${runs.direct.p50} / p99 ${runs.direct.p99} ms; added ${Object.entries(point.added).map(([t, a]) => `${t} ${a.p50} / ${a.p99}`).join(', ')} ms`);
  }
  return curve;
}

const pick = (run) => ({ p50: run.p50, p99: run.p99, failed: run.failed });

/**
 * The design's floor beside the bare proxy and Chaperone, for the scenario it ran with: what the
 * hops cost (floor against bare) and what Chaperone's own work costs (Chaperone against floor).
 */
function floorTable(result) {
  const rows = result.http.filter((r) => r.floor);
  if (rows.length === 0) return [];
  const cpu = (perRequest, names) => +names.reduce((sum, n) => sum + (perRequest[n] ?? 0), 0).toFixed(3);
  const lines = [
    "The design's floor: a gateway process with none of Chaperone's work (no authentication, attributes, rules, events, masking, metrics) that makes the same hops: it asks a policy stand-in in another process, which stores a record in a JetStream stream whose acknowledgement is the answer; it forwards; it stores a completion and awaits its acknowledgement before the response leaves (`scripts/bench/lib/floor-gateway.js`). Floor against bare is what the design's hops cost on this machine; Chaperone against floor is what Chaperone's own work costs. CPU sums the gateway's processes and NATS (Chaperone: every service). The API server does the same work for every request, so its CPU per request says whether the host was slower during one of the runs (it also grows as throughput falls: fewer requests share each wake-up).",
    '',
    '| scenario | figure | bare proxy | design floor | Chaperone | Chaperone / floor |',
    '|---|---|---|---|---|---|',
  ];
  for (const r of rows) {
    const f = r.floor;
    const bareCpu = cpu(r.max.bare.cpuMsPerRequest, ['bare proxy', 'nats-server']);
    const floorCpu = +floorCpuMs(f.max.cpuMsPerRequest).toFixed(3);
    const chaperoneCpu = +chaperoneCpuMs(r.max.chaperone.cpuMsPerRequest).toFixed(3);
    const d = r.sequential.direct.p50;
    lines.push(`| ${r.label} | maximum req/s (of bare) | ${r.max.bare.rps} | ${f.max.rps} (${ratio(f.max.rps, r.max.bare.rps)}) | ${r.max.chaperone.rps} (${ratio(r.max.chaperone.rps, r.max.bare.rps)}) | ${ratio(r.max.chaperone.rps, f.max.rps)} |`);
    const m = r.throughputRounds?.median;
    if (m) lines.push(`| ${r.label} | maximum req/s, median of ${EXTRA_ROUNDS + 1} alternating runs (of bare) | ${m.bare} | ${m.floor} (${ratio(m.floor, m.bare)}) | ${m.chaperone} (${ratio(m.chaperone, m.bare)}) | ${ratio(m.chaperone, m.floor)} |`);
    lines.push(`| ${r.label} | CPU ms per request at the maximum | ${bareCpu} | ${floorCpu} | ${chaperoneCpu} | ${ratio(chaperoneCpu, floorCpu)} |`);
    const api = (run) => run.cpuMsPerRequest['test API server'] ?? '-';
    lines.push(`| ${r.label} | the API server's CPU ms per request meanwhile | ${api(r.max.bare)} | ${api(f.max)} | ${api(r.max.chaperone)} | |`);
    lines.push(`| ${r.label} | at ${r.halfRate}/s: p50 / p99 ms | ${r.half.bare.p50} / ${r.half.bare.p99} | ${f.half.p50} / ${f.half.p99} | ${r.half.chaperone.p50} / ${r.half.chaperone.p99} | |`);
    const h = r.halfAdded?.median;
    if (h) lines.push(`| ${r.label} | at ${r.halfRate}/s: added over direct p50 / p99 ms, median of ${EXTRA_ROUNDS + 1} alternating rounds | | ${h.floor ? `${h.floor.p50} / ${h.floor.p99}` : '-'} | ${h.chaperone.p50} / ${h.chaperone.p99} | |`);
    lines.push(`| ${r.label} | one client: p50 / p99 ms | ${r.sequential.bare.p50} / ${r.sequential.bare.p99} | ${f.sequential.p50} / ${f.sequential.p99} | ${r.sequential.chaperone.p50} / ${r.sequential.chaperone.p99} | |`);
    lines.push(`| ${r.label} | one client: added over direct p50 ms | ${added(r.sequential.bare.p50, d)} | ${added(f.sequential.p50, d)} | ${added(r.sequential.chaperone.p50, d)} | |`);
    const a = r.oneClientAdded?.median;
    if (a) lines.push(`| ${r.label} | one client: added over direct p50 ms, median of ${EXTRA_ROUNDS + 1} alternating rounds | | ${a.floor?.p50 ?? '-'} | ${a.chaperone.p50} | |`);
  }
  lines.push('');
  return lines;
}

/** Latency at lower shares of the maximum (latencyByLoad), with the goal's half-maximum medians as the last row. */
function loadCurveTable(result) {
  const rows = result.http.filter((r) => r.loadCurve);
  if (rows.length === 0) return [];
  const within = (a) => (withinHalfMaxBounds(a) ? 'yes' : 'no');
  const pair = (a) => (a ? `${a.p50} / ${a.p99}` : '-');
  const lines = [
    `Latency by load, allow path: one paced run of each target at lower shares of Chaperone's maximum than the goal's half (the half row is the goal's median of ${EXTRA_ROUNDS + 1} alternating rounds). The last column says whether Chaperone's added latency is within the half-maximum goal's bounds (p50 ≤ ${HALF_MAX_BOUNDS.p50} ms, p99 ≤ ${HALF_MAX_BOUNDS.p99} ms) at that load. One run a point, so read each beside its neighbours.`,
    '',
    "| scenario | share of Chaperone's maximum | rate | direct p50 / p99 ms | Chaperone added p50 / p99 | design floor added p50 / p99 | within the bounds |",
    '|---|---|---|---|---|---|---|',
  ];
  for (const r of rows) {
    for (const pt of r.loadCurve) lines.push(`| ${r.label} | ${pt.share * 100} % | ${pt.rate}/s | ${pair(pt.direct)} | ${pair(pt.added.chaperone)} | ${pair(pt.added.floor)} | ${within(pt.added.chaperone)} |`);
    const h = r.halfAdded?.median;
    if (h) lines.push(`| ${r.label} | 50 % | ${r.halfRate}/s | ${pair(r.half.direct)} | ${pair(h.chaperone)} | ${pair(h.floor)} | ${within(h.chaperone)} |`);
  }
  lines.push('');
  return lines;
}

/** How many connections each target's maximum needed: the saturation search's probes. */
function saturationTable(result) {
  const runs = result.http.flatMap((r) =>
    [['direct', r.max.direct], ['bare proxy', r.max.bare], ...(r.floor ? [['design floor', r.floor.max]] : []), ['Chaperone', r.max.chaperone]].map(([target, run]) => [r.label, target, run]),
  );
  return [
    `Maximum throughput by connections kept busy: after its warm-up each target ran ${PROBE_S} s closed loops over ${result.options.connections} connections, then twice, four and eight times as many, while its throughput still grew by more than ${STILL_GROWING * 100} %; its measured maximum (and the throughput goal's alternating runs) used the count of the highest. A closed loop's throughput is its connections divided by its latency until a process on the path is busy all the time, so a target whose requests make more hops needs more of them in flight to reach what it can carry.`,
    '',
    '| scenario | target | req/s by connections | maximum measured over |',
    '|---|---|---|---|',
    ...runs.map(([label, target, run]) => `| ${label} | ${target} | ${run.probes.map((p) => `${p.connections}: ${p.rps}`).join(', ')} | ${run.connections} |`),
    '',
  ];
}

/**
 * What each service published to the bus and was delivered, per admitted request, during the
 * maximum runs (/connz by connection name): where the bus's volume comes from.
 */
function natsByServiceTable(result) {
  const runs = result.http.filter((r) => Object.keys(r.max.chaperone.nats?.byService ?? {}).length > 0);
  if (runs.length === 0) return [];
  const services = GATEWAY_SERVICES.filter((s) => runs.some((r) => r.max.chaperone.nats.byService[s]));
  const cell = (kb) => (kb ? `${figure(kb.kbIn)} / ${figure(kb.kbOut)}` : '-');
  return [
    '',
    'KB each service published / was delivered per admitted request in those runs (from /connz, by connection name):',
    '',
    `| scenario | variant | ${services.join(' | ')} |`,
    `|---|---|${services.map(() => '---|').join('')}`,
    ...runs.map((r) => `| ${r.scenario} | ${r.variant} ${r.variantLabel} | ${services.map((s) => cell(r.max.chaperone.nats.byService[s])).join(' | ')} |`),
  ];
}

/**
 * Opens one HTTPS watch and counts its newline-terminated events. Proxies may hold the response
 * head until the first event, so the caller starts the burst without waiting for the head.
 */
function openWatch(target, urlPath) {
  let count = 0;
  let started = performance.now();
  let waiter;
  let failure;
  const req = https.get(new URL(urlPath, target.url), { rejectUnauthorized: false, headers: { authorization: `Bearer ${target.token}`, accept: 'application/json' } }, (res) => {
    if (res.statusCode !== 200) failure = new Error(`watch answered ${res.statusCode}`);
    res.on('data', (chunk) => {
      for (let i = chunk.indexOf(10); i >= 0; i = chunk.indexOf(10, i + 1)) count++;
      if (waiter && count >= waiter.expected) waiter.finish();
    });
  });
  req.on('error', (e) => (failure = failure || e));
  return {
    start: () => (started = performance.now()),
    until: (expected, timeoutMs) =>
      new Promise((resolve, reject) => {
        const finish = () => {
          clearTimeout(timer);
          req.destroy();
          if (failure && count === 0) reject(failure);
          else resolve({ events: count, seconds: (performance.now() - started) / 1000 });
        };
        const timer = setTimeout(finish, timeoutMs);
        waiter = { expected, finish };
        if (count >= expected) finish();
      }),
  };
}

async function watchScenario(stack, opts, log) {
  const results = {};
  for (const t of ['direct', 'bare', 'raw', 'masked']) {
    const burst = randomUUID().slice(0, 8);
    const memory = sampleMemory();
    const w = openWatch(stack.targets[t], `/api/v1/namespaces/${BENCH_NAMESPACE}/configmaps?watch=1&labelSelector=burst%3D${burst}`);
    await new Promise((r) => setTimeout(r, 1000)); // the watch is admitted and registered upstream
    w.start();
    stack.api.child.send({ burst: opts.watchEvents, label: burst });
    const r = await w.until(opts.watchEvents, 120_000);
    results[t] = { events: r.events, seconds: +r.seconds.toFixed(2), eventsPerSecond: Math.round(r.events / r.seconds), peakRssMb: memory.stop() };
    log(`  watch ${t}: ${results[t].eventsPerSecond} events/s (${r.events} in ${results[t].seconds} s)`);
  }
  return results;
}

/**
 * The soak's rate: half of the maximum of the slower of its two requests (each measured alone). A
 * mix at the faster one's half would be past half of what the slower one can carry, and a soak
 * whose queue grows measures the queue's memory, not the services'.
 */
function soakRate(http) {
  const halfOf = (scenario, variant) => http.find((r) => r.scenario === scenario && r.variant === variant)?.halfRate ?? Infinity;
  return Math.min(halfOf('get-pod', 'raw'), halfOf('get-secret', 'masked'));
}

/** Allowed pod gets and masked secret gets, alternating, at `rate` for `seconds`; RSS sampled every 5 s. */
async function soak(stack, rate, seconds, log) {
  log(`soak: ${seconds} s at ${rate} req/s (allow get pod and masked get secret, alternating)`);
  const series = [];
  const sample = (t) => series.push({ t, rssMb: Object.fromEntries(measuredProcesses().map((p) => [p.name, +((memoryOf(p.pid)?.rssKb ?? 0) / 1024).toFixed(1)])) });
  const t0 = performance.now();
  sample(0);
  const timer = setInterval(() => sample(Math.round((performance.now() - t0) / 1000)), 5000);
  // At a constant arrival rate (pacedGets), alternating the two requests.
  const r = await pacedGets([new URL(SCENARIOS[0].path, stack.targets.raw.url), new URL(SCENARIOS[1].path, stack.targets.masked.url)], {
    tokens: [stack.targets.raw.token, stack.targets.masked.token],
    rate,
    duration: seconds,
  });
  const { p50, p99 } = summarize(r.times, 2);
  clearInterval(timer);
  sample(Math.round((performance.now() - t0) / 1000));
  // Start = after the first fifth of the run (caches, JIT and buffers warmed), end = last sample.
  const start = series[Math.min(series.length - 1, Math.floor(series.length / 5))];
  const end = series[series.length - 1];
  const perProcess = Object.fromEntries(
    Object.keys(end.rssMb).map((name) => [name, { startMb: start.rssMb[name], endMb: end.rssMb[name], maxMb: Math.max(...series.map((s) => s.rssMb[name] ?? 0)) }]),
  );
  return { seconds, rate, requests: r.ok, failed: r.failed, p50, p99, startAtS: start.t, perProcess, series };
}

const ratio = (a, b) => (b > 0 ? +(a / b).toFixed(2) : null);
const added = (a, b) => +(a - b).toFixed(2);

function markdown(result) {
  const lines = [];
  const m = result.machine;
  const monitors = monitorsLine(m.memoryMonitors);
  lines.push(`Run ${result.when} on ${m.cpus} × ${m.model}, ${m.memGb} GB, Node ${m.node}; every process on this one machine; 1-min load average ${m.loadAvgStart} at start, ${m.loadAvgEnd} at end${monitors ? `; ${monitors}` : ''}.`);
  lines.push('');
  lines.push('| scenario | direct req/s | bare proxy req/s | Chaperone req/s | Chaperone / direct | Chaperone / bare | at half of Chaperone max: rate | direct p50 / p99 (ms) | bare p50 / p99 | Chaperone p50 / p99 | added over direct p50 / p99 |');
  lines.push('|---|---|---|---|---|---|---|---|---|---|---|');
  for (const r of result.http) {
    const h = r.half;
    lines.push(
      `| ${r.label} | ${r.max.direct.rps} | ${r.max.bare.rps} | ${r.max.chaperone.rps} | ${ratio(r.max.chaperone.rps, r.max.direct.rps)} | ${ratio(r.max.chaperone.rps, r.max.bare.rps)} | ${r.halfRate}/s | ${h.direct.p50} / ${h.direct.p99} | ${h.bare.p50} / ${h.bare.p99} | ${h.chaperone.p50} / ${h.chaperone.p99} | ${added(h.chaperone.p50, h.direct.p50)} / ${added(h.chaperone.p99, h.direct.p99)} |`,
    );
  }
  const w = result.watch;
  if (w) lines.push(
    `| (f) watch events/s (${result.options.watchEvents} events) | ${w.direct.eventsPerSecond} | ${w.bare.eventsPerSecond} | ${w.raw.eventsPerSecond} unmasked, ${w.masked.eventsPerSecond} masked | ${ratio(w.raw.eventsPerSecond, w.direct.eventsPerSecond)} / ${ratio(w.masked.eventsPerSecond, w.direct.eventsPerSecond)} | ${ratio(w.raw.eventsPerSecond, w.bare.eventsPerSecond)} / ${ratio(w.masked.eventsPerSecond, w.bare.eventsPerSecond)} | | | | | |`,
  );
  lines.push('');
  lines.push('One keep-alive client, one request at a time (p50 / p99 ms, timed with performance.now()):');
  lines.push('');
  lines.push('| scenario | direct | bare proxy | Chaperone | added over direct p50 / p99 |');
  lines.push('|---|---|---|---|---|');
  for (const r of result.http) {
    const q = r.sequential;
    lines.push(`| ${r.label} | ${q.direct.p50} / ${q.direct.p99} | ${q.bare.p50} / ${q.bare.p99} | ${q.chaperone.p50} / ${q.chaperone.p99} | ${added(q.chaperone.p50, q.direct.p50)} / ${added(q.chaperone.p99, q.direct.p99)} |`);
  }
  lines.push('');
  lines.push(...floorTable(result));
  lines.push(...loadCurveTable(result));
  lines.push(
    "What the ingress waited on during those one-client runs (mean ms per request, from its `chaperone_ingress_step_duration` metric; the cluster's part includes the API server's own time; the ingress's own work is the rest of the request's time there: HTTP, TLS, building the events, the handler chain):",
  );
  lines.push('');
  lines.push('| scenario | request at the ingress | token verified | policy decision stored | cluster, to the response head | masking | completion stored | the ingress\'s own work |');
  lines.push('|---|---|---|---|---|---|---|---|');
  for (const r of result.http) {
    if (!r.steps) continue;
    const st = r.steps.steps;
    const own = r.steps.requestMs === null ? null : +(r.steps.requestMs - STEPS.reduce((sum, k) => sum + (st[k] ?? 0), 0)).toFixed(3);
    lines.push(`| ${r.label} | ${r.steps.requestMs ?? '-'} | ${STEPS.map((k) => st[k] ?? '-').join(' | ')} | ${own ?? '-'} |`);
  }
  lines.push('');
  const paused = result.http.filter((r) => r.half.chaperone.gcPauses);
  if (paused.length > 0) {
    const services = Object.keys(paused[0].half.chaperone.gcPauses);
    lines.push(
      `Garbage-collection pauses of each service during Chaperone's run at half of its maximum (pauses / ms paused in all / pauses over ${LONG_PAUSE_SECONDS * 1000} ms, from each service's \`v8js_gc_duration\` metric): a request that arrives while a process on its path is paused waits the pause out.`,
    );
    lines.push('');
    lines.push(`| scenario | ${services.join(' | ')} |`);
    lines.push(`|---|${services.map(() => '---').join('|')}|`);
    for (const r of paused) {
      const g = r.half.chaperone.gcPauses;
      lines.push(`| ${r.label} | ${services.map((sv) => (g[sv] ? `${g[sv].pauses} / ${g[sv].pausedMs} / ${g[sv].longPauses}` : '-')).join(' | ')} |`);
    }
    lines.push('');
  }
  lines.push(...saturationTable(result));
  lines.push('Latency at maximum throughput (p50 / p99 ms; autocannon, over the connections of the table above):');
  lines.push('');
  lines.push('| scenario | direct | bare proxy | Chaperone |');
  lines.push('|---|---|---|---|');
  for (const r of result.http) lines.push(`| ${r.label} | ${r.max.direct.p50} / ${r.max.direct.p99} | ${r.max.bare.p50} / ${r.max.bare.p99} | ${r.max.chaperone.p50} / ${r.max.chaperone.p99} |`);
  lines.push('');
  const names = Object.keys(result.http[0].max.chaperone.peakRssMb);
  lines.push('Peak RSS (MB) of each process during the Chaperone maximum-throughput run:');
  lines.push('');
  lines.push(`| scenario | ${names.join(' | ')} |`);
  lines.push(`|---|${names.map(() => '---').join('|')}|`);
  for (const r of result.http) lines.push(`| ${r.label} | ${names.map((n) => r.max.chaperone.peakRssMb[n] ?? '').join(' | ')} |`);
  if (w) lines.push(`| (f) watch, masked | ${names.map((n) => w.masked.peakRssMb[n] ?? '').join(' | ')} |`);
  lines.push('');
  lines.push(
    "CPU milliseconds per request, by process, during the maximum-throughput runs (least sensitive to other load on the machine; the last column sums Chaperone's processes and NATS):",
  );
  lines.push('');
  lines.push(`| scenario | target | ${names.join(' | ')} | Chaperone + NATS |`);
  lines.push(`|---|---|${names.map(() => '---').join('|')}|---|`);
  for (const r of result.http) {
    for (const t of ['direct', 'bare', 'chaperone']) lines.push(`| ${r.label} | ${t} | ${names.map((n) => r.max[t].cpuMsPerRequest[n] ?? '').join(' | ')} | ${+chaperoneCpuMs(r.max[t].cpuMsPerRequest).toFixed(3)} |`);
  }
  lines.push('');
  lines.push(
    "CPU milliseconds per request at half of Chaperone's maximum (the paced runs): each request arrives on its own and wakes every process on its path itself, where at the maximum one wake-up serves several; the last column is the share of the machine's cores every process used together (the load generator and the API server included):",
  );
  lines.push('');
  lines.push(`| scenario | rate | ${names.join(' | ')} | Chaperone + NATS | cores busy |`);
  lines.push(`|---|---|${names.map(() => '---').join('|')}|---|---|`);
  for (const r of result.http) {
    const cpu = r.half.chaperone.cpuMsPerRequest ?? {};
    const everyProcess = Object.values(cpu).reduce((sum, ms) => sum + (ms ?? 0), 0);
    const busy = (everyProcess * r.halfRate) / 1000 / (result.machine.cpus || 1);
    lines.push(`| ${r.label} | ${r.halfRate}/s | ${names.map((n) => cpu[n] ?? '').join(' | ')} | ${+chaperoneCpuMs(cpu).toFixed(3)} | ${Math.round(busy * 100)} % |`);
  }
  lines.push('');
  lines.push(
    'NATS per admitted request during the maximum-throughput runs (msgs and KB in: published by clients, out: delivered by the server, from /varz; JetStream writes: messages stored in the streams of the bench\'s bus prefix):',
  );
  lines.push('');
  lines.push('| scenario | variant | msgs in | msgs out | KB in | KB out | JetStream writes |');
  lines.push('|---|---|---|---|---|---|---|');
  const natsRow = (scenario, variant, n = {}) => `| ${scenario} | ${variant} | ${figure(n.msgsIn)} | ${figure(n.msgsOut)} | ${figure(n.kbIn)} | ${figure(n.kbOut)} | ${figure(n.jetStreamWrites)} |`;
  for (const r of result.http) {
    lines.push(natsRow(r.scenario, `${r.variant} ${r.variantLabel}`, r.max.chaperone.nats));
    if (r.floor?.max.nats) lines.push(natsRow(r.scenario, 'design floor', r.floor.max.nats));
  }
  lines.push(...natsByServiceTable(result));
  const b = result.busIdle;
  lines.push('');
  lines.push(
    `With no requests the bus carried ${figure(b.msgsInPerSecond)} msgs in, ${figure(b.msgsOutPerSecond)} msgs out and ${figure(b.jetStreamWritesPerSecond)} JetStream writes per second (consumer pulls, heartbeats, snapshots); a run at r req/s holds that divided by r in each figure.`,
  );
  lines.push('');
  const p = result.policy;
  lines.push('Policy decision time (µs per decision, in process; the request matches the last rule):');
  lines.push('');
  lines.push('| rules | indexed (policy service) | linear scan (reference) |');
  lines.push('|---|---|---|');
  for (const n of Object.keys(p)) lines.push(`| ${Number(n).toLocaleString('en')} | ${p[n].indexedUs} | ${p[n].linearUs} |`);
  lines.push('');
  const s = result.soak;
  if (s) {
    lines.push(`Memory over a ${s.seconds} s soak at ${s.rate} req/s (${s.requests} requests, ${s.failed} failed, p50 ${s.p50} ms, p99 ${s.p99} ms); RSS MB at ${s.startAtS} s → end (max):`);
    lines.push('');
    lines.push(`| ${Object.keys(s.perProcess).join(' | ')} |`);
    lines.push(`|${Object.keys(s.perProcess).map(() => '---').join('|')}|`);
    lines.push(`| ${Object.values(s.perProcess).map((p) => `${p.startMb} → ${p.endMb} (${p.maxMb})`).join(' | ')} |`);
  }
  const failures = result.http.flatMap((r) =>
    ['direct', 'bare', 'chaperone'].flatMap((t) => [r.max[t], r.half[t], r.sequential[t]].filter((x) => x.failed > 0).map((x) => `${r.label} ${t}: ${x.failed} failed`)),
  );
  if (failures.length > 0) lines.push('', `Failed requests: ${failures.join('; ')}`);
  return lines.join('\n');
}

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  const log = (s) => console.log(`[bench] ${s}`);
  const dir = mkdtempSync(path.join(os.tmpdir(), 'chaperone-bench-'));
  let stack;
  const cleanup = async () => {
    await stopAll({ keep: ['nats-server'] });
    if (stack) await stack.counters.close();
    if (stack) await deleteStreams(stack.natsUrl, stack.subjects).catch((e) => log(`could not delete the bench streams: ${e.message}`));
    await stopAll();
    rmSync(dir, { recursive: true, force: true });
  };
  let interrupted = false;
  for (const signal of ['SIGINT', 'SIGTERM']) {
    process.on(signal, () => {
      if (interrupted) return;
      interrupted = true;
      log(`${signal}: stopping every process the bench started`);
      cleanup().finally(() => process.exit(130));
    });
  }
  try {
    const loadAvgStart = +os.loadavg()[0].toFixed(2);
    log('policy decision time, 10 and 10,000 rules');
    const policy = policyDecisionTimes();
    log(`  ${JSON.stringify(policy)}`);
    stack = await startStack(dir, opts, log);
    log(`started: ${measuredProcesses().map((p) => `${p.name} (${p.pid})`).join(', ')}`);
    await preflight(stack);
    log('bus background: NATS counters for 3 s with no requests');
    const busIdle = await busBackground(stack.counters, 3);
    log(`  per second: msgs in ${figure(busIdle.msgsInPerSecond)}, out ${figure(busIdle.msgsOutPerSecond)}, JetStream writes ${figure(busIdle.jetStreamWritesPerSecond)}`);
    const http = await httpScenarios(stack, opts, log);
    // --only is a quick look at one scenario while tuning: no watch or soak, and latest.* stays the last full run.
    let watch;
    if (!opts.only && opts.watchEvents > 0) {
      log('(f) watch events per second');
      watch = await watchScenario(stack, opts, log);
    }
    let soakResult;
    if (!opts.only && opts.soak > 0) soakResult = await soak(stack, soakRate(http), opts.soak, log);
    const proofs = !opts.only && opts.proofs > 0 ? await require('./lib/proofs').benchProofs({ events: opts.proofs }) : undefined;
    const recording = !opts.only && opts.recording > 0 ? await require('./lib/recording').benchRecording({ log }) : undefined;
    const mcp = !opts.only && opts.mcp > 0 ? await require('./lib/mcp').benchMcp({ log }) : undefined;
    const result = {
      when: new Date().toISOString(),
      machine: { cpus: os.cpus().length, model: os.cpus()[0]?.model, memGb: Math.round(os.totalmem() / 2 ** 30), node: process.version, loadAvgStart, loadAvgEnd: +os.loadavg()[0].toFixed(2), memoryMonitors: kernelMemoryMonitors() },
      options: opts,
      policy,
      busIdle,
      http,
      watch,
      soak: soakResult,
      proofs: proofs?.result,
      recording: recording?.result,
      mcp: mcp?.result,
    };
    const table = [markdown(result), proofs && `Merkle proofs over the evidence log:\n\n${proofs.markdown}`, recording?.markdown, mcp?.markdown].filter(Boolean).join('\n\n');
    console.log(`\n${table}\n`);
    mkdirSync(path.join(ROOT, 'bench-results'), { recursive: true });
    const name = opts.only ? `only-${opts.only}` : 'latest';
    writeFileSync(path.join(ROOT, 'bench-results', `${name}.json`), JSON.stringify(result, null, 2));
    writeFileSync(path.join(ROOT, 'bench-results', `${name}.md`), `${table}\n`);
    log(`written bench-results/${name}.json and bench-results/${name}.md`);
    if (!opts.only) log(`written ${path.relative(ROOT, require('../docs/performance').render())}`);
  } finally {
    if (!interrupted) await cleanup();
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
