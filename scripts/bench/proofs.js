#!/usr/bin/env node
// Merkle proof figures over an evidence log of N events (default 1,000,000); the measurement is
// lib/proofs.js (also a section of `npm run bench`). Prints a table and writes
// bench-results/proofs.json.
// Usage: node scripts/bench proofs [events=1000000] [proofs=1000]
'use strict';
const { mkdirSync, writeFileSync } = require('node:fs');
const path = require('node:path');
const { benchProofs } = require('./lib/proofs');
const { ROOT } = require('../stack');

async function main() {
  const { result, markdown } = await benchProofs({ events: Number(process.argv[2] || 1_000_000), proofs: Number(process.argv[3] || 1000) });
  console.log(markdown);
  const dir = path.join(ROOT, 'bench-results');
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, 'proofs.json'), `${JSON.stringify(result, null, 2)}\n`);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
