#!/usr/bin/env node
// Chain verification figures: events/s `verifyStore` checks, read from a real JetStream event
// store, and the memory it holds. Writes N hash-chained events over S sessions (batches through the
// chaining code, as the audit service's appends would link them) and a signed checkpoint of every
// head, then verifies the whole store. Prints a table and writes bench-results/verify.json.
// Usage: node scripts/bench verify [events=100000] [sessions=1000]
'use strict';
const { randomUUID } = require('node:crypto');
const { mkdirSync, writeFileSync } = require('node:fs');
const path = require('node:path');
const { performance } = require('node:perf_hooks');
const { connect } = require('nats');
const { busSubjects, CHAIN_CHECKPOINTED, EvidenceStreams } = require('@chaperone/contracts');
const { JetStreamEventStore, chainedEventStore, linkBatch } = require('@chaperone/event-store');
const { chainHeadOf, generateCheckpointKeyPair, signCheckpoint, verifyStore } = require('@chaperone/evidence-chain');
const { ROOT } = require('../stack');

const EVENTS = Number(process.argv[2] || 100000);
const SESSIONS = Number(process.argv[3] || 1000);
const BATCH = 100;

function event(sessionId, n) {
  return {
    eventId: randomUUID(),
    schemaVersion: 1,
    type: 'RequestIntercepted',
    time: new Date().toISOString(),
    requestId: randomUUID(),
    sessionId,
    traceId: '0'.repeat(32),
    identity: { subject: 'agent-bench', username: 'agent-bench', groups: ['agents'], agent: 'bench', issuer: 'https://issuer.example' },
    payload: {
      method: 'GET',
      path: `/api/v1/namespaces/default/pods/worker-${n % 50}`,
      query: '',
      request: { isResourceRequest: true, path: `/api/v1/namespaces/default/pods/worker-${n % 50}`, verb: 'get', apiPrefix: 'api', apiGroup: '', apiVersion: 'v1', namespace: 'default', resource: 'pods', subresource: '', name: `worker-${n % 50}`, parts: ['namespaces', 'default', 'pods', `worker-${n % 50}`] },
      userAgent: 'kubectl/v1.32.0 (linux/amd64) kubernetes/abcdef',
      sourceAddress: '10.0.0.7',
      upgrade: false,
    },
  };
}

async function main() {
  const natsUrl = process.env.CHAPERONE_NATS_URL || process.env.NATS_URL || 'nats://127.0.0.1:4222';
  const subjects = busSubjects(`bench-verify-${randomUUID().slice(0, 6)}`);
  const nc = await connect({ servers: natsUrl, name: 'bench-verify' });
  const inner = await JetStreamEventStore.create(nc, { streamName: subjects.evidenceStream, subjectPrefix: subjects.evidenceSubjectPrefix });
  const store = chainedEventStore(inner);
  const { privateKey, publicKey } = generateCheckpointKeyPair();
  try {
    // Write: each session's events in batches, linked by the chaining code, appended at exact revisions.
    const t0 = performance.now();
    const perSession = Math.ceil(EVENTS / SESSIONS);
    let written = 0;
    const heads = {};
    const sessions = Array.from({ length: SESSIONS }, (_, i) => `session-bench-${i}`);
    const writeSession = async (stream) => {
      let last;
      for (let done = 0; done < perSession && written < EVENTS; ) {
        const n = Math.min(BATCH, perSession - done, EVENTS - written);
        written += n;
        const batch = Array.from({ length: n }, (_, k) => {
          const data = event(stream, done + k);
          return { eventId: data.eventId, type: data.type, data };
        });
        const linked = linkBatch(stream, last, batch);
        await inner.append(stream, linked, { expectedRevision: last ? last.revision : 'no_stream' });
        last = { ...linked[linked.length - 1], stream, revision: (last ? last.revision : -1) + n };
        done += n;
      }
      if (last) heads[stream] = chainHeadOf(last);
    };
    for (let i = 0; i < sessions.length; i += 16) await Promise.all(sessions.slice(i, i + 16).map(writeSession));
    const checkpoint = signCheckpoint(heads, { privateKey, keyId: 'bench' });
    await store.append(EvidenceStreams.checkpoints, [{ eventId: randomUUID(), type: CHAIN_CHECKPOINTED, data: { type: CHAIN_CHECKPOINTED, schemaVersion: 1, checkpoint, throughPosition: written } }]);
    const writeSeconds = (performance.now() - t0) / 1000;

    // Reading alone (the floor under verify): every event, in the pages verify uses.
    const tr = performance.now();
    for (let from = 0, got = 5000; got === 5000; ) {
      const page = await store.readAll({ fromPosition: from, maxCount: 5000 });
      got = page.length;
      from = (page[page.length - 1]?.globalPosition ?? from) + 1;
    }
    const readSeconds = (performance.now() - tr) / 1000;

    // Verify the whole store.
    globalThis.gc?.();
    const base = process.memoryUsage();
    let peakHeap = base.heapUsed;
    const sampler = setInterval(() => (peakHeap = Math.max(peakHeap, process.memoryUsage().heapUsed)), 50);
    const t1 = performance.now();
    const report = await verifyStore(store, { publicKey });
    const seconds = (performance.now() - t1) / 1000;
    clearInterval(sampler);
    if (!report.ok) throw new Error(`the benchmark store did not verify: ${JSON.stringify(report.problems.slice(0, 3))}`);
    const result = {
      date: new Date().toISOString(),
      events: report.events,
      streams: report.streams,
      writeSeconds: +writeSeconds.toFixed(1),
      readSeconds: +readSeconds.toFixed(2),
      verifySeconds: +seconds.toFixed(2),
      eventsPerSecond: Math.round(report.events / seconds),
      heapGrowthMB: +((peakHeap - base.heapUsed) / 1024 ** 2).toFixed(1),
    };
    process.stdout.write(
      `| events | streams | read only (s) | verify (s) | verified events/s | heap growth |\n|---|---|---|---|---|---|\n` +
        `| ${result.events} | ${result.streams} | ${result.readSeconds} | ${result.verifySeconds} | ${result.eventsPerSecond} | ${result.heapGrowthMB} MB |\n`,
    );
    mkdirSync(path.join(ROOT, 'bench-results'), { recursive: true });
    writeFileSync(path.join(ROOT, 'bench-results', 'verify.json'), `${JSON.stringify(result, null, 2)}\n`);
  } finally {
    await inner.close();
    await (await nc.jetstreamManager()).streams.delete(subjects.evidenceStream).catch(() => undefined);
    await nc.drain();
  }
}

main().catch((e) => {
  process.stderr.write(`bench-verify: ${e.stack || e.message}\n`);
  process.exit(1);
});
