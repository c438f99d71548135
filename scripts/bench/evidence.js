#!/usr/bin/env node
// Evidence path figures: (1) the latency a durable (JetStream-acknowledged) event publish adds,
// (2) events/s the audit service sustains from the bus into the JetStream event store, with one
// and two replicas, each its own process, and the CPU time the audit processes spend per event
// (from /proc, between their ready line and the last event stored). Prints a table and writes
// bench-results/evidence.json.
// Usage: node scripts/bench evidence [events=20000] [sessions=200]
'use strict';
const { randomUUID } = require('node:crypto');
const { spawnSync } = require('node:child_process');
const { mkdirSync, readFileSync, writeFileSync } = require('node:fs');
const { cpus } = require('node:os');
const path = require('node:path');
const { performance } = require('node:perf_hooks');
const { connect } = require('nats');
const { busSubjects, EVENT_PARTITIONS } = require('@chaperone/contracts');
const { JetStreamEventStore } = require('@chaperone/event-store');
const { readAllPages } = require('@chaperone/evidence-chain');
const { DurableEventPublisher, ensureEventsStream } = require('@chaperone/bus');
const { ROOT, ensureNats, startService, stopService } = require('../stack');
const { summarize } = require('./lib/timing');

const EVENTS = Number(process.argv[2] || 20000);
const SESSIONS = Number(process.argv[3] || 200);
const limits = { maxBytes: 4 * 1024 ** 3, maxMsgs: -1 };

const CLOCK_TICKS = Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout.trim()) || 100;

/** CPU time (user + system) a process has used so far, in ms (Linux /proc). */
function cpuMs(pid) {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' '); // from field 3 (state) on
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLOCK_TICKS; // utime, stime
}

function event(sessionId, n) {
  return {
    eventId: randomUUID(),
    schemaVersion: 1,
    type: 'RequestCompleted',
    time: new Date().toISOString(),
    requestId: randomUUID(),
    sessionId,
    traceId: '0'.repeat(32),
    identity: { subject: 'bench', username: 'bench', groups: ['agents'], agent: 'bench', issuer: 'https://bench' },
    payload: { outcome: 'forwarded', status: 200, bytesOut: 1000 + n, durationMs: 1.2 },
  };
}

async function publishLatency(nc, subjects) {
  const pub = new DurableEventPublisher(nc, subjects, 5000);
  const times = [];
  for (let i = 0; i < 2000; i++) {
    const t = performance.now();
    await pub.publish(event('latency', i));
    times.push(performance.now() - t);
  }
  // The reference point: one core-NATS round trip (flush) on the same connection.
  const rtt = [];
  for (let i = 0; i < 2000; i++) {
    const t = performance.now();
    await nc.flush();
    rtt.push(performance.now() - t);
  }
  return { durablePublish: summarize(times), natsRoundTrip: summarize(rtt) };
}

/** Every partition's audit consumer exists and has nothing pending or unacknowledged. */
async function drained(jsm, subjects) {
  for (let p = 0; p < EVENT_PARTITIONS; p++) {
    const info = await jsm.consumers.info(subjects.eventsStream, subjects.auditConsumer(p)).catch(() => undefined);
    if (!info || info.num_pending > 0 || info.num_ack_pending > 0) return false;
  }
  return true;
}

/** The events the evidence store holds, read through the store itself (a stored message may hold several). */
async function storedEvents(nc, subjects) {
  const store = await JetStreamEventStore.create(nc, { streamName: subjects.evidenceStream, subjectPrefix: subjects.evidenceSubjectPrefix });
  let events = 0;
  try {
    await readAllPages(store, 5000, () => events++);
  } finally {
    await store.close();
  }
  return events;
}

async function auditThroughput(nc, replicas) {
  const subjects = busSubjects(`bench-${randomUUID().slice(0, 8)}`);
  const jsm = await nc.jetstreamManager();
  await ensureEventsStream(jsm, subjects, limits);
  const pub = new DurableEventPublisher(nc, subjects, 10_000);
  // Fill the backlog first (audit stopped), then measure the drain: events/s into the store.
  for (let i = 0; i < EVENTS; i += 500) {
    await Promise.all(Array.from({ length: Math.min(500, EVENTS - i) }, (_, k) => pub.publish(event(`s-${(i + k) % SESSIONS}`, i + k))));
  }
  const env = {
    CHAPERONE_NATS_URL: process.env.CHAPERONE_NATS_URL || 'nats://127.0.0.1:4222',
    CHAPERONE_BUS_PREFIX: subjects.prefix,
    CHAPERONE_HEALTH_PORT: '0',
    CHAPERONE_EVENTS_MAX_BYTES: String(limits.maxBytes),
  };
  const t0 = performance.now();
  const running = [];
  for (let r = 0; r < replicas; r++) running.push(await startService('audit', env));
  const cpuAtReady = running.map((s) => cpuMs(s.child.pid));
  // Drained when every partition's audit consumer exists and holds nothing undelivered or
  // unacknowledged (the audit acknowledges a message only once its events are stored). The stream's
  // message count is no measure: the audit stores a session's events of a window as one message.
  for (;;) {
    if (await drained(jsm, subjects)) break;
    if (performance.now() - t0 > 600_000) throw new Error(`the audit service had not stored the ${EVENTS} events after 10 minutes`);
    await new Promise((r) => setTimeout(r, 50));
  }
  const seconds = (performance.now() - t0) / 1000;
  const cpu = running.reduce((sum, s, i) => sum + cpuMs(s.child.pid) - cpuAtReady[i], 0);
  for (const s of running) await stopService(s);
  const stored = await storedEvents(nc, subjects);
  if (stored !== EVENTS) throw new Error(`the evidence stream holds ${stored} events, not ${EVENTS}`);
  await jsm.streams.delete(subjects.eventsStream);
  await jsm.streams.delete(subjects.evidenceStream);
  if (subjects.auditLeaseBucket) await jsm.streams.delete(`KV_${subjects.auditLeaseBucket}`).catch(() => undefined);
  return {
    replicas,
    events: EVENTS,
    sessions: SESSIONS,
    seconds: +seconds.toFixed(2),
    eventsPerSecond: Math.round(EVENTS / seconds),
    auditCpuMs: Math.round(cpu),
    auditCpuPerEventMs: +(cpu / EVENTS).toFixed(3),
  };
}

async function main() {
  const natsUrl = process.env.CHAPERONE_NATS_URL || 'nats://127.0.0.1:4222';
  await ensureNats(natsUrl, path.join(ROOT, '.chaperone', 'nats'));
  const nc = await connect({ servers: natsUrl });
  const subjects = busSubjects(`bench-${randomUUID().slice(0, 8)}`);
  const jsm = await nc.jetstreamManager();
  await ensureEventsStream(jsm, subjects, limits);
  const latency = await publishLatency(nc, subjects);
  await jsm.streams.delete(subjects.eventsStream);
  const one = await auditThroughput(nc, 1);
  const two = await auditThroughput(nc, 2);
  await nc.drain();

  const result = { machine: { cpus: cpus().length, model: cpus()[0]?.model, node: process.version }, when: new Date().toISOString(), latency, audit: [one, two] };
  console.log('| measure | value |');
  console.log('|---|---|');
  console.log(`| durable event publish (JetStream ack), p50 / p99 | ${latency.durablePublish.p50} / ${latency.durablePublish.p99} ms |`);
  console.log(`| core NATS round trip (flush), p50 / p99 | ${latency.natsRoundTrip.p50} / ${latency.natsRoundTrip.p99} ms |`);
  for (const a of [one, two]) {
    console.log(`| audit → JetStream store, ${a.replicas} replica(s), ${a.events} events / ${a.sessions} sessions | ${a.eventsPerSecond} events/s (${a.seconds} s, incl. start) |`);
    console.log(`| audit CPU per event, ${a.replicas} replica(s) (all processes, after ready) | ${a.auditCpuPerEventMs} ms (${a.auditCpuMs} ms in all) |`);
  }
  mkdirSync(path.join(ROOT, 'bench-results'), { recursive: true });
  writeFileSync(path.join(ROOT, 'bench-results', 'evidence.json'), JSON.stringify(result, null, 2));
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
