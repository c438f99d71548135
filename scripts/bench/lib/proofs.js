// Merkle proof figures over an evidence log of N events (1,000,000 in `npm run bench`): the time to
// hash every event's leaf (canonical JSON, as `chaperone proof` does for each event it reads) and
// build the tree, then per proof the time to produce and to verify it and its size, for inclusion
// proofs of random leaves and a consistency proof from half the log to all of it. The store read is
// not included (bench:verify gives read rates). Used by the overhead and proofs topics.
'use strict';
const { performance } = require('node:perf_hooks');
const { MerkleTree, evidenceLeafHash, verifyInclusion, verifyConsistency, toHex } = require('@chaperone/merkle-log');

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

/**
 * Builds the tree of `events` synthetic evidence events and times `proofs` inclusion proofs and one
 * consistency proof. Returns the figures and a markdown table of them.
 */
async function benchProofs({ events = 1_000_000, proofs = 1000 } = {}) {
  const rss0 = process.memoryUsage().rss;
  let t = performance.now();
  const tree = new MerkleTree();
  for (let i = 0; i < events; i++) {
    tree.appendLeafHash(evidenceLeafHash(storedEvent(i)));
    // Yield now and then so a caller's timers (process watchdogs, signal handlers) still run.
    if (i % 100_000 === 99_999) await new Promise((r) => setTimeout(r, 0));
  }
  const buildSeconds = (performance.now() - t) / 1000;
  const rssMb = (process.memoryUsage().rss - rss0) / 1024 / 1024;
  t = performance.now();
  const root = tree.rootHash();
  const rootMs = performance.now() - t;

  let genMs = 0;
  let verifyMs = 0;
  let hashes = 0;
  let jsonBytes = 0;
  for (let k = 0; k < proofs; k++) {
    const index = Math.floor(Math.random() * events);
    let s = performance.now();
    const proof = tree.inclusionProof(index);
    genMs += performance.now() - s;
    hashes += proof.length;
    jsonBytes += JSON.stringify(proof.map(toHex)).length;
    s = performance.now();
    if (!verifyInclusion(tree.leafHash(index), index, events, proof, root)) throw new Error(`inclusion proof of ${index} failed`);
    verifyMs += performance.now() - s;
  }
  const old = Math.floor(events / 2) + 1;
  t = performance.now();
  const consistency = tree.consistencyProof(old, events);
  const consistencyGenMs = performance.now() - t;
  t = performance.now();
  if (!verifyConsistency(old, events, consistency, tree.rootHash(old), root)) throw new Error('consistency proof failed');
  const consistencyVerifyMs = performance.now() - t;

  const result = {
    events,
    buildSeconds: +buildSeconds.toFixed(2),
    leavesPerSecond: Math.round(events / buildSeconds),
    treeMemoryMb: +rssMb.toFixed(1),
    rootMs: +rootMs.toFixed(3),
    inclusion: { proofs, hashes: +(hashes / proofs).toFixed(1), jsonBytes: Math.round(jsonBytes / proofs), generateMs: +(genMs / proofs).toFixed(4), verifyMs: +(verifyMs / proofs).toFixed(4) },
    consistency: { oldSize: old, newSize: events, hashes: consistency.length, jsonBytes: JSON.stringify(consistency.map(toHex)).length, generateMs: +consistencyGenMs.toFixed(3), verifyMs: +consistencyVerifyMs.toFixed(3) },
  };
  const markdown = `| figure | value |
|---|---|
| events (leaves) | ${events.toLocaleString('en')} |
| leaf hashing + tree build | ${result.buildSeconds} s (${result.leavesPerSecond.toLocaleString('en')} events/s) |
| tree memory (RSS growth) | ${result.treeMemoryMb} MB |
| inclusion proof: hashes / JSON bytes | ${result.inclusion.hashes} / ${result.inclusion.jsonBytes} |
| inclusion proof: generate / verify | ${result.inclusion.generateMs} ms / ${result.inclusion.verifyMs} ms |
| consistency proof ${old.toLocaleString('en')} → ${events.toLocaleString('en')}: hashes / JSON bytes | ${result.consistency.hashes} / ${result.consistency.jsonBytes} |
| consistency proof: generate / verify | ${result.consistency.generateMs} ms / ${result.consistency.verifyMs} ms |`;
  return { result, markdown };
}

module.exports = { benchProofs };
