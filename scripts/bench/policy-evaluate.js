#!/usr/bin/env node
// CPU the policy service spends per evaluation. Starts the built policy service as its own process on a
// bus prefix of its own (real NATS, real events stream), fires N evaluation requests at it with C in
// flight, and reads the process's CPU time (user + system, /proc/<pid>/stat) before and after.
// The figure includes everything the service does per request: decode, validate, evaluate, the
// durable publish of the evidence (the intercept and its decision, one message) and the reply.
// Usage: node scripts/bench policy-evaluate [requests=5000] [concurrency=8] [rounds=3]
'use strict';
const { mkdtempSync, readFileSync, rmSync, writeFileSync } = require('node:fs');
const { tmpdir } = require('node:os');
const path = require('node:path');
const { randomUUID } = require('node:crypto');
const { performance } = require('node:perf_hooks');
const { connect } = require('nats');
const { busSubjects } = require('@chaperone/contracts');
const { requestJson } = require('@chaperone/bus');
const { ensureNats, startService, stopService, deleteStreams } = require('../stack');
const { GET_WORKER_POD } = require('./lib/fixtures');

const REQUESTS = Number(process.argv[2] || 5000);
const CONCURRENCY = Number(process.argv[3] || 8);
const ROUNDS = Number(process.argv[4] || 3);

const POLICY = `apiVersion: chaperone.dev/v1alpha1
kind: Policy
rules:
  - name: read-pods
    effect: allow
    subjects: { groups: ["agents"] }
    verbs: ["get", "list"]
    apiGroups: [""]
    resources: ["pods"]
`;

/** CPU seconds (user + system) of a pid; USER_HZ is 100, so the resolution is 10 ms. */
function cpuSecondsOf(pid) {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

/** One evaluation request as the ingress sends it: a fresh request of one session, its intercept event. */
function evaluationRequest() {
  const path = '/api/v1/namespaces/default/pods/worker-0';
  return {
    schemaVersion: 2,
    intercepted: {
      eventId: randomUUID(),
      schemaVersion: 1,
      type: 'RequestIntercepted',
      time: new Date().toISOString(),
      requestId: randomUUID(),
      sessionId: 'bench-session',
      traceId: '0af7651916cd43dd8448eb211c80319c',
      identity: { subject: 'bench', username: 'bench', groups: ['agents'], agent: 'bench-agent', issuer: 'https://bench-issuer' },
      payload: {
        method: 'GET',
        path,
        query: '',
        request: GET_WORKER_POD,
        userAgent: 'kubectl/v1.32.0 (linux/amd64) kubernetes/70d3cc9',
        sourceAddress: '127.0.0.1',
        upgrade: false,
      },
    },
  };
}

async function ask(nc, subjects) {
  const reply = await requestJson(nc, subjects.policyEvaluate, evaluationRequest(), 5000);
  if (reply?.decision?.effect !== 'allow') throw new Error(`unexpected reply ${JSON.stringify(reply)}`);
}

async function fire(nc, subjects, n) {
  let next = 0;
  const worker = async () => {
    while (next < n) {
      next++;
      await ask(nc, subjects);
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
}

async function main() {
  const dir = mkdtempSync(path.join(tmpdir(), 'chaperone-bench-policy-'));
  const natsUrl = process.env.CHAPERONE_NATS_URL || 'nats://127.0.0.1:4222';
  await ensureNats(natsUrl, path.join(dir, 'nats'));
  writeFileSync(path.join(dir, 'policy.yaml'), POLICY);
  const subjects = busSubjects(`bench-${randomUUID().slice(0, 8)}`);
  const policy = await startService('policy', {
    CHAPERONE_NATS_URL: natsUrl,
    CHAPERONE_BUS_PREFIX: subjects.prefix,
    CHAPERONE_HEALTH_PORT: '0',
    CHAPERONE_POLICY_FILE: path.join(dir, 'policy.yaml'),
    CHAPERONE_POLICY_WATCH: 'false',
    CHAPERONE_REQUIRE_REGISTERED_AGENTS: 'false',
  });
  const nc = await connect({ servers: natsUrl, noAsyncTraces: true });
  try {
    await fire(nc, subjects, 2000); // warm-up: JIT, connections
    const rounds = [];
    for (let r = 0; r < ROUNDS; r++) {
      const cpu = cpuSecondsOf(policy.child.pid);
      const t = performance.now();
      await fire(nc, subjects, REQUESTS);
      const wallMs = performance.now() - t;
      const cpuMs = (cpuSecondsOf(policy.child.pid) - cpu) * 1000;
      rounds.push({ cpuMsPerDecision: +(cpuMs / REQUESTS).toFixed(3), decisionsPerSecond: Math.round((REQUESTS * 1000) / wallMs) });
    }
    const stored = (await (await nc.jetstreamManager()).streams.info(subjects.eventsStream)).state.messages;
    console.log(`policy service, ${REQUESTS} decisions x ${ROUNDS} rounds, ${CONCURRENCY} in flight; ${stored} messages on the events stream`);
    console.table(rounds);
    const sorted = rounds.map((r) => r.cpuMsPerDecision).sort((a, b) => a - b);
    console.log(`median CPU per decision: ${sorted[Math.floor(sorted.length / 2)]} ms`);
  } finally {
    await nc.drain();
    await stopService(policy);
    await deleteStreams(natsUrl, subjects);
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
