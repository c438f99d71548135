#!/usr/bin/env node
// Exec throughput (MB/s of a large kubectl exec output: direct, blind splice, Chaperone unmasked and
// masked); the measurement is lib/exec-throughput.js (also part of `npm run bench`).
// Prints a table; writes bench-results/exec.json. Usage: node scripts/bench exec [megabytes=32] [runs=3]
'use strict';
const { mkdirSync, writeFileSync } = require('node:fs');
const { cpus } = require('node:os');
const path = require('node:path');
const { EXEC_RULES, execThroughput } = require('./lib/exec-throughput');
const { stopAll } = require('./lib/processes');
const { ROOT, startBenchGateway } = require('../stack');

async function main() {
  const g = await startBenchGateway({ rules: EXEC_RULES, env: { CHAPERONE_MASKING_TIMEOUT_MS: '60000' } });
  try {
    const { result, markdown } = await execThroughput(g, { megabytes: Number(process.argv[2] || 32), runs: Number(process.argv[3] || 3) });
    console.log(markdown);
    mkdirSync(path.join(ROOT, 'bench-results'), { recursive: true });
    const out = path.join(ROOT, 'bench-results', 'exec.json');
    writeFileSync(out, JSON.stringify({ machine: { cpus: cpus().length, model: cpus()[0]?.model, node: process.version }, when: new Date().toISOString(), ...result }, null, 2));
    console.log(`\nwritten ${path.relative(process.cwd(), out)}`);
  } finally {
    await stopAll();
    await g.stop();
  }
}

main().catch(async (e) => {
  console.error(e);
  await stopAll().catch(() => undefined);
  process.exit(1);
});
