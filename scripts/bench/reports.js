#!/usr/bin/env node
// Reports figures over a generated history in the JetStream event store (its own bus prefix):
//   write   events/s the workload generator appends through the chaining decorator
//   read    events/s the JetStream adapter's readAll delivers (pages of 5000, nothing applied)
//   rebuild events/s of a rebuild from zero (readAll pages + the projection fold: what the service runs)
//   fold    events/s of the fold alone, over events already in memory
//   report  ms to compute the SOC 2 report over the whole period, and to render it as CSV and HTML
//   verify  s for a full chain verification (verifyStore) of the store
//   snapshot size and ms to save and load the read model snapshot
// Prints a table and writes bench-results/reports-<events>.json.
// Usage: node scripts/bench reports [events=100000] [agents=50] [--keep]   (npm run bench:reports -- 100000)
'use strict';
const { randomUUID } = require('node:crypto');
const { mkdirSync, writeFileSync } = require('node:fs');
const { cpus } = require('node:os');
const path = require('node:path');
const { performance } = require('node:perf_hooks');
const { connect } = require('nats');
const { busSubjects } = require('@chaperone/contracts');
const { JetStreamEventStore, chainedEventStore } = require('@chaperone/event-store');
const { verifyStore, generateCheckpointKeyPair } = require('@chaperone/evidence-chain');
const { ROOT, ensureNats } = require('../stack');

const dist = (p) => require(path.join(ROOT, 'services', 'reports', 'dist', p));
const { emptySummary, generateHistory } = dist('workload/generate-history');
const { writeHistory } = dist('workload/write-history');
const { applyRecorded, emptyReadModel } = dist('read-model');
const { catchUp } = dist('projection/catch-up');
const { SnapshotStore } = dist('projection/snapshot-store');
const { buildSoc2Report } = dist('soc2/soc2-report');
const { CSV_SECTIONS, sectionCsv } = dist('soc2/csv');
const { reportHtml } = dist('soc2/html');

const args = process.argv.slice(2).filter((a) => !a.startsWith('--'));
const EVENTS = Number(args[0] || 100000);
const AGENTS = Number(args[1] || 50);
const KEEP = process.argv.includes('--keep');
const log = (m) => process.stderr.write(`[bench-reports] ${m}\n`);
const secs = (t0) => (performance.now() - t0) / 1000;
const mb = () => Math.round(process.memoryUsage().rss / 1024 / 1024);
require('node:v8').setFlagsFromString('--expose-gc');
/** The heap in use after a full collection: what live objects hold. */
const heapAfterGc = () => {
  require('node:vm').runInNewContext('gc')();
  return process.memoryUsage().heapUsed;
};

async function main() {
  const natsUrl = process.env.NATS_URL || 'nats://127.0.0.1:4222';
  await ensureNats(natsUrl, path.join(ROOT, '.chaperone', 'nats'));
  const nc = await connect({ servers: natsUrl });
  const subjects = busSubjects(`bench-${randomUUID().slice(0, 8)}`);
  const raw = await JetStreamEventStore.create(nc, { streamName: subjects.evidenceStream, subjectPrefix: subjects.evidenceSubjectPrefix });
  const store = chainedEventStore(raw);
  const results = { events: EVENTS, agents: AGENTS, cpus: cpus().length, cpu: cpus()[0]?.model, node: process.version, at: new Date().toISOString() };
  try {
    const summary = emptySummary();
    const start = new Date(Date.now() - 30 * 86_400_000);
    let t0 = performance.now();
    const written = await writeHistory(store, generateHistory({ events: EVENTS, agents: AGENTS, seed: 1, start, spanDays: 30, runId: 'bench' }, summary), {
      concurrency: 128,
      onProgress: (n) => n % 100_000 === 0 && log(`${n} written`),
    });
    results.write = { events: written, seconds: +secs(t0).toFixed(1), eventsPerSecond: Math.round(written / secs(t0)) };
    results.history = { sessions: summary.sessions, requests: summary.requests, approvals: summary.approvals, byType: summary.byType };
    log(`write: ${JSON.stringify(results.write)}`);

    t0 = performance.now();
    let read = 0;
    for (let from = 1; ; ) {
      const page = await raw.readAll({ fromPosition: from, maxCount: 5000 });
      read += page.length;
      if (page.length < 5000) break;
      from = page[page.length - 1].globalPosition + 1;
    }
    results.read = { events: read, seconds: +secs(t0).toFixed(2), eventsPerSecond: Math.round(read / secs(t0)) };
    log(`read: ${JSON.stringify(results.read)}`);

    const heapBefore = heapAfterGc();
    t0 = performance.now();
    const model = emptyReadModel();
    const rebuilt = await catchUp(store, model);
    const rebuildS = secs(t0);
    // What the model holds: the heap it added, per request it knows (sessions and indexes included).
    const modelBytes = heapAfterGc() - heapBefore;
    results.rebuild = { events: rebuilt, seconds: +rebuildS.toFixed(2), eventsPerSecond: Math.round(rebuilt / rebuildS), rssMB: mb(), requests: model.requests.size, modelHeapMB: Math.round(modelBytes / 1e6), modelBytesPerRequest: Math.round(modelBytes / model.requests.size) };
    log(`rebuild: ${JSON.stringify(results.rebuild)}`);

    // The fold alone: re-read a slice into memory (up to 200k events), then time only the fold.
    const slice = [];
    for (let from = 1; slice.length < Math.min(read, 200_000); ) {
      const page = await raw.readAll({ fromPosition: from, maxCount: 5000 });
      if (page.length === 0) break;
      slice.push(...page);
      from = page[page.length - 1].globalPosition + 1;
    }
    t0 = performance.now();
    const m2 = emptyReadModel();
    for (const e of slice) applyRecorded(m2, e);
    results.fold = { events: slice.length, seconds: +secs(t0).toFixed(2), eventsPerSecond: Math.round(slice.length / secs(t0)) };
    log(`fold: ${JSON.stringify(results.fold)}`);

    const period = { from: '2000-01-01T00:00:00.000Z', to: new Date(Date.now() + 86_400_000).toISOString() };
    const verification = { status: 'unavailable', checkedAt: new Date().toISOString(), detail: 'timed separately' };
    const timings = [];
    let report;
    for (let i = 0; i < 3; i++) {
      t0 = performance.now();
      report = buildSoc2Report(model, period, { burst: { threshold: 10, windowSeconds: 60 }, verification, now: new Date() });
      timings.push(performance.now() - t0);
    }
    t0 = performance.now();
    const csvBytes = CSV_SECTIONS.reduce((n, s) => n + sectionCsv(report, s).length, 0);
    const csvMs = performance.now() - t0;
    t0 = performance.now();
    const htmlBytes = reportHtml(report).length;
    const htmlMs = performance.now() - t0;
    t0 = performance.now();
    const jsonBytes = JSON.stringify(report).length;
    const jsonMs = performance.now() - t0;
    results.report = {
      computeMs: timings.map((t) => Math.round(t)),
      json: { ms: Math.round(jsonMs), bytes: jsonBytes },
      csvAllSections: { ms: Math.round(csvMs), bytes: csvBytes },
      html: { ms: Math.round(htmlMs), bytes: htmlBytes },
      summary: report.summary,
    };
    log(`report: compute ${results.report.computeMs.join('/')} ms, json ${Math.round(jsonMs)} ms, csv ${Math.round(csvMs)} ms, html ${Math.round(htmlMs)} ms`);

    t0 = performance.now();
    const v = await verifyStore(raw, { publicKey: generateCheckpointKeyPair().publicKey });
    results.verify = { events: v.events, streams: v.streams, problems: v.problems.length, seconds: +secs(t0).toFixed(1), rssMB: mb() };
    log(`verify: ${JSON.stringify(results.verify)}`);

    const snapshots = await SnapshotStore.open(nc, subjects.reportsSnapshotBucket);
    t0 = performance.now();
    const bytes = await snapshots.save(model);
    const saveS = secs(t0);
    t0 = performance.now();
    const loaded = await snapshots.load();
    results.snapshot = { bytesGzipped: bytes, saveSeconds: +saveS.toFixed(2), loadSeconds: +secs(t0).toFixed(2), position: loaded?.position };
    log(`snapshot: ${JSON.stringify(results.snapshot)}`);
  } finally {
    if (!KEEP) {
      const jsm = await nc.jetstreamManager();
      for (const s of [subjects.evidenceStream, `OBJ_${subjects.reportsSnapshotBucket}`]) await jsm.streams.delete(s).catch(() => false);
    } else {
      log(`kept: CHAPERONE_BUS_PREFIX=${subjects.prefix}`);
    }
    await nc.drain();
  }
  mkdirSync(path.join(ROOT, 'bench-results'), { recursive: true });
  writeFileSync(path.join(ROOT, 'bench-results', `reports-${EVENTS}.json`), `${JSON.stringify(results, null, 2)}\n`);
  const rows = [
    ['write (workload, chained)', `${results.write.eventsPerSecond} events/s`, `${results.write.seconds} s`],
    ['read (JetStream readAll)', `${results.read.eventsPerSecond} events/s`, `${results.read.seconds} s`],
    ['rebuild from zero', `${results.rebuild.eventsPerSecond} events/s`, `${results.rebuild.seconds} s, RSS ${results.rebuild.rssMB} MB`],
    ['read model in memory', `${results.rebuild.modelBytesPerRequest} bytes/request`, `${results.rebuild.modelHeapMB} MB of heap for ${results.rebuild.requests} requests`],
    ['fold only', `${results.fold.eventsPerSecond} events/s`, `${results.fold.events} events`],
    ['SOC 2 report compute', `${results.report.computeMs.join(' / ')} ms`, `${results.report.summary.requests} requests`],
    ['  + JSON / CSV / HTML', `${results.report.json.ms} / ${results.report.csvAllSections.ms} / ${results.report.html.ms} ms`, `${results.report.json.bytes} / ${results.report.csvAllSections.bytes} / ${results.report.html.bytes} bytes`],
    ['verify (whole store)', `${results.verify.seconds} s`, `${results.verify.streams} streams`],
    ['snapshot save / load', `${results.snapshot.saveSeconds} / ${results.snapshot.loadSeconds} s`, `${results.snapshot.bytesGzipped} bytes gzipped`],
  ];
  process.stdout.write(`reports bench: ${EVENTS} events, ${AGENTS} agents, ${results.cpus} CPUs\n`);
  for (const r of rows) process.stdout.write(`  ${r[0].padEnd(28)} ${r[1].padEnd(28)} ${r[2]}\n`);
}

main().catch((e) => {
  process.stderr.write(`bench-reports: ${e.stack || e.message}\n`);
  process.exit(1);
});
