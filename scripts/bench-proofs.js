#!/usr/bin/env node
// Merkle proof figures over an evidence log of N events (default 1,000,000): the time to hash every
// event's leaf (canonical JSON, as `chaperone proof` does for each event it reads) and build the tree,
// then per proof the time to produce and to verify it and its size, for inclusion proofs of random
// leaves and a consistency proof from half the log to all of it. The store read is not included
// (bench:verify gives read rates). Prints a table and writes bench-results/proofs.json.
// Usage: node scripts/bench-proofs.js [events=1000000] [proofs=1000]
'use strict';
const { mkdirSync, writeFileSync } = require('node:fs');
const path = require('node:path');
const { performance } = require('node:perf_hooks');
const { MerkleTree, evidenceLeafHash, verifyInclusion, verifyConsistency, toHex } = require('@chaperone/merkle-log');
const { ROOT } = require('./stack');

const EVENTS = Number(process.argv[2] || 1_000_000);
const PROOFS = Number(process.argv[3] || 1000);

/** A stored RequestCompleted as the audit service keeps it (chain members in metadata). */
function storedEvent(i) {
  const requestId = `req-${i.toString(16).padStart(8, '0')}`;
  return {
    stream: `session-s${i % 1000}`,
    revision: Math.floor(i / 1000),
    eventId: `${requestId}-3`,
    type: 'RequestCompleted',
    data: {
      eventId: `${requestId}-3`, schemaVersion: 1, type: 'RequestCompleted', time: new Date(1_700_000_000_000 + i).toISOString(), requestId,
      sessionId: `s${i % 1000}`, traceId: '0'.repeat(32),
      identity: { subject: 'agent-bench', username: 'agent-bench', groups: ['agents'], agent: 'bench', issuer: 'https://issuer.example' },
      payload: { outcome: 'forwarded', status: 200, bytesOut: 2048, durationMs: 4.2 },
    },
    metadata: { prevHash: `sha256:${'0'.repeat(64)}`, chainHash: `sha256:${'1'.repeat(64)}` },
  };
}

function main() {
  const rss0 = process.memoryUsage().rss;
  let t = performance.now();
  const tree = new MerkleTree();
  for (let i = 0; i < EVENTS; i++) tree.appendLeafHash(evidenceLeafHash(storedEvent(i)));
  const buildSeconds = (performance.now() - t) / 1000;
  const rssMb = (process.memoryUsage().rss - rss0) / 1024 / 1024;
  t = performance.now();
  const root = tree.rootHash();
  const rootMs = performance.now() - t;

  let genMs = 0;
  let verifyMs = 0;
  let hashes = 0;
  let jsonBytes = 0;
  for (let k = 0; k < PROOFS; k++) {
    const index = Math.floor(Math.random() * EVENTS);
    let s = performance.now();
    const proof = tree.inclusionProof(index);
    genMs += performance.now() - s;
    hashes += proof.length;
    jsonBytes += JSON.stringify(proof.map(toHex)).length;
    s = performance.now();
    if (!verifyInclusion(tree.leafHash(index), index, EVENTS, proof, root)) throw new Error(`inclusion proof of ${index} failed`);
    verifyMs += performance.now() - s;
  }
  const old = Math.floor(EVENTS / 2) + 1;
  t = performance.now();
  const consistency = tree.consistencyProof(old, EVENTS);
  const consistencyGenMs = performance.now() - t;
  t = performance.now();
  if (!verifyConsistency(old, EVENTS, consistency, tree.rootHash(old), root)) throw new Error('consistency proof failed');
  const consistencyVerifyMs = performance.now() - t;

  const result = {
    events: EVENTS,
    buildSeconds: +buildSeconds.toFixed(2),
    leavesPerSecond: Math.round(EVENTS / buildSeconds),
    treeMemoryMb: +rssMb.toFixed(1),
    rootMs: +rootMs.toFixed(3),
    inclusion: { proofs: PROOFS, hashes: +(hashes / PROOFS).toFixed(1), jsonBytes: Math.round(jsonBytes / PROOFS), generateMs: +(genMs / PROOFS).toFixed(4), verifyMs: +(verifyMs / PROOFS).toFixed(4) },
    consistency: { oldSize: old, newSize: EVENTS, hashes: consistency.length, jsonBytes: JSON.stringify(consistency.map(toHex)).length, generateMs: +consistencyGenMs.toFixed(3), verifyMs: +consistencyVerifyMs.toFixed(3) },
  };
  console.log(`| figure | value |
|---|---|
| events (leaves) | ${EVENTS.toLocaleString('en')} |
| leaf hashing + tree build | ${result.buildSeconds} s (${result.leavesPerSecond.toLocaleString('en')} events/s) |
| tree memory (RSS growth) | ${result.treeMemoryMb} MB |
| inclusion proof: hashes / JSON bytes | ${result.inclusion.hashes} / ${result.inclusion.jsonBytes} |
| inclusion proof: generate / verify | ${result.inclusion.generateMs} ms / ${result.inclusion.verifyMs} ms |
| consistency proof ${old.toLocaleString('en')} → ${EVENTS.toLocaleString('en')}: hashes / JSON bytes | ${result.consistency.hashes} / ${result.consistency.jsonBytes} |
| consistency proof: generate / verify | ${result.consistency.generateMs} ms / ${result.consistency.verifyMs} ms |`);
  const dir = path.join(ROOT, 'bench-results');
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, 'proofs.json'), `${JSON.stringify(result, null, 2)}\n`);
}

main();
