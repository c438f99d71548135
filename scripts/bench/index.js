#!/usr/bin/env node
// Every benchmark, one entry: `node scripts/bench [topic] [arguments]`, or `npm run bench -- [topic]
// [arguments]` (the npm scripts bench:<topic> build what the topic needs first, then call this).
// Without a topic: the request overhead run that docs/performance.md is generated from. The
// topic's file reads its own arguments (the usage line at its top); `node scripts/bench help`
// lists the topics. Shared pieces (processes, NATS, the test API server, statistics) are in lib/.
'use strict';
const path = require('node:path');

/** topic → its file in this folder, what it measures, and whether it needs the garbage collector exposed. */
const TOPICS = {
  overhead: { file: 'overhead.js', what: 'per-request cost beside the API server and a bare proxy; throughput, memory, NATS traffic (docs/performance.md)' },
  spine: { file: 'spine-latency.js', what: 'kubectl and HTTPS latency through the gateway against the API server directly' },
  evidence: { file: 'evidence.js', what: 'durable publish of evidence events and the audit service writing them (docs/evidence.md)' },
  verify: { file: 'verify.js', what: 'chaperone verify over a large store: rate and memory (docs/evidence.md)', gc: true },
  proofs: { file: 'proofs.js', what: 'Merkle inclusion and consistency proofs over a large log' },
  masking: { file: 'masking.js', what: 'masking of API responses through the gateway (docs/masking.md)' },
  'masking-engine': { file: 'masking-engine.js', what: 'the masking engine alone, in process (docs/masking.md)' },
  'policy-evaluate': { file: 'policy-evaluate.js', what: 'evaluations per second of the policy service over NATS' },
  approval: { file: 'approval.js', what: 'the approval service: open, approve, claim (docs/approvals.md)' },
  console: { file: 'console.js', what: 'the web console: inbox paint and search over a large read model (docs/console.md)' },
  reports: { file: 'reports.js', what: 'the reports read model: catch-up and queries over a large store' },
  exec: { file: 'exec.js', what: 'kubectl exec output throughput: direct, bare splice, unmasked and masked' },
  mcp: { file: 'mcp.js', what: 'an MCP tool call against the request it makes (docs/mcp.md)' },
  pairs: { file: 'pairs.js', what: 'two service environments compared in alternating pairs of one overhead scenario' },
};
const DEFAULT = 'overhead';

function help() {
  const width = Math.max(...Object.keys(TOPICS).map((t) => t.length));
  return [
    'usage: node scripts/bench [topic] [arguments]      (npm run bench -- [topic] [arguments])',
    `topics (default ${DEFAULT}):`,
    ...Object.entries(TOPICS).map(([t, { what }]) => `  ${t.padEnd(width)}  ${what}`),
  ].join('\n');
}

function main() {
  const [first, ...rest] = process.argv.slice(2);
  if (first === 'help' || first === '--help' || first === '-h') return console.log(help());
  // A first argument that is an option (or nothing) goes to the default topic: `npm run bench -- --only get-pod`.
  const named = first !== undefined && !first.startsWith('-');
  const topic = TOPICS[named ? first : DEFAULT];
  if (!topic) {
    console.error(`unknown bench topic "${first}"\n${help()}`);
    process.exitCode = 2;
    return;
  }
  const file = path.join(__dirname, topic.file);
  if (topic.gc && typeof globalThis.gc !== 'function') {
    // Memory figures call gc() between phases; the flag set now applies to functions made from here on.
    require('node:v8').setFlagsFromString('--expose-gc');
    globalThis.gc = require('node:vm').runInNewContext('gc');
  }
  // The topic's file runs as if started directly: its arguments where it reads them.
  process.argv = [process.argv[0], file, ...(named ? rest : process.argv.slice(2))];
  require(file);
}

main();
