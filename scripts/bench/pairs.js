#!/usr/bin/env node
// Paired comparison of two service environments on one scenario of the overhead bench. On a shared
// machine two runs of the same code differ by tens of percent, so one run per arm shows nothing:
// this alternates the arms (A B, then B A, ...) and reports each pair side by side, with how many
// pairs favour B on each figure. An arm is the environment of every process the bench starts (a
// service setting such as CHAPERONE_AUDIT_BATCH_LINGER_MS).
// Usage: node scripts/bench pairs --b "NAME=value ..." [--a "NAME=value ..."] [--pairs 3]
//        [--scenario get-pod|get-secret|list-1mb] [--duration 2]
// Writes bench-results/pairs.json; each run's log is in bench-results/pairs/.
'use strict';
const { spawn } = require('node:child_process');
const { mkdirSync, openSync, readFileSync, writeFileSync } = require('node:fs');
const path = require('node:path');
const { ROOT } = require('../stack');
const { chaperoneCpuMs } = require('./lib/processes');

function parseArgs(argv) {
  const opts = { a: '', b: '', pairs: 3, scenario: 'get-pod', duration: 2 };
  for (let i = 0; i < argv.length; i += 2) {
    const key = argv[i].replace(/^--/, '');
    const value = argv[i + 1];
    if (!(key in opts) || value === undefined) throw new Error(`usage: node scripts/bench pairs --b "NAME=value ..." [--a "..."] [--pairs n] [--scenario id] [--duration s] (bad: ${argv[i]})`);
    opts[key] = typeof opts[key] === 'number' ? Number(value) : value;
  }
  if (!opts.b) throw new Error('pairs: --b "NAME=value ..." is required (the environment of arm B)');
  if (!Number.isInteger(opts.pairs) || opts.pairs < 1) throw new Error('pairs: --pairs must be a positive integer');
  return { ...opts, envA: parseEnv(opts.a), envB: parseEnv(opts.b) };
}

function parseEnv(text) {
  const env = {};
  for (const pair of text.split(/\s+/).filter(Boolean)) {
    const eq = pair.indexOf('=');
    if (eq <= 0) throw new Error(`pairs: "${pair}" is not NAME=value`);
    env[pair.slice(0, eq)] = pair.slice(eq + 1);
  }
  return env;
}

/** One overhead run of the scenario under `env`; resolves with its results file. */
function run(opts, env, log) {
  // The design's floor does not depend on the services' environment: not run in pairs.
  const args = [path.join(__dirname, 'index.js'), '--only', opts.scenario, '--soak', '0', '--floor', '0', '--duration', String(opts.duration)];
  const out = openSync(log, 'w');
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', out, out] });
    child.on('error', reject);
    child.on('exit', (code) => {
      if (code !== 0) return reject(new Error(`bench run failed (exit ${code}); see ${log}`));
      resolve(JSON.parse(readFileSync(path.join(ROOT, 'bench-results', `only-${opts.scenario}.json`), 'utf8')));
    });
  });
}

/** The figures compared, per variant of the scenario; `better` says which way is an improvement. */
const FIGURES = [
  { name: 'max req/s', better: 'higher', of: (r) => r.max.chaperone.rps },
  { name: 'share of bare', better: 'higher', of: (r) => r.max.chaperone.rps / r.max.bare.rps },
  { name: 'CPU ms/request', better: 'lower', of: (r) => chaperoneCpuMs(r.max.chaperone.cpuMsPerRequest) },
  { name: 'one client added p50 ms', better: 'lower', of: (r) => r.sequential.chaperone.p50 - r.sequential.direct.p50 },
  { name: 'half max added p99 ms', better: 'lower', of: (r) => r.half.chaperone.p99 - r.half.direct.p99 },
];

const median = (xs) => {
  const s = [...xs].sort((p, q) => p - q);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const fmt = (x) => (Math.abs(x) >= 100 ? x.toFixed(0) : Math.abs(x) >= 1 ? x.toFixed(2) : x.toFixed(3));

function report(opts, pairs) {
  const lines = [`A: ${opts.a || '(defaults)'}   B: ${opts.b}   scenario ${opts.scenario}, ${opts.pairs} pairs, --duration ${opts.duration}`];
  for (const variant of pairs[0].A.http.map((r) => r.variant)) {
    lines.push('', `| ${variant} | ${pairs.map((_, i) => `pair ${i + 1} A / B`).join(' | ')} | median A / B | B better |`);
    lines.push(`|---|${pairs.map(() => '---').join('|')}|---|---|`);
    for (const f of FIGURES) {
      const a = pairs.map((p) => f.of(p.A.http.find((r) => r.variant === variant)));
      const b = pairs.map((p) => f.of(p.B.http.find((r) => r.variant === variant)));
      const wins = a.filter((x, i) => (f.better === 'higher' ? b[i] > x : b[i] < x)).length;
      lines.push(`| ${f.name} | ${a.map((x, i) => `${fmt(x)} / ${fmt(b[i])}`).join(' | ')} | ${fmt(median(a))} / ${fmt(median(b))} | ${wins} of ${a.length} |`);
    }
  }
  return lines.join('\n');
}

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  const logs = path.join(ROOT, 'bench-results', 'pairs');
  mkdirSync(logs, { recursive: true });
  const pairs = [];
  for (let i = 1; i <= opts.pairs; i++) {
    // A B, then B A: a machine that gets busier or quieter over the session favours neither arm.
    const order = i % 2 ? ['A', 'B'] : ['B', 'A'];
    const pair = {};
    for (const arm of order) {
      console.log(`[pairs] pair ${i}, arm ${arm}`);
      pair[arm] = await run(opts, arm === 'A' ? opts.envA : opts.envB, path.join(logs, `${arm}${i}.log`));
    }
    pairs.push(pair);
  }
  const table = report(opts, pairs);
  console.log(table);
  writeFileSync(path.join(ROOT, 'bench-results', 'pairs.json'), JSON.stringify({ options: opts, pairs, table }, null, 2));
}

main().catch((e) => {
  console.error(e.message ?? e);
  process.exit(1);
});
