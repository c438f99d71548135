// What the bus carries per request: the NATS server's message counters (/varz in_msgs = messages
// clients published, out_msgs = messages the server delivered, and their bytes), JetStream writes
// (messages stored in the run's streams), and the bytes each Chaperone service published and was
// delivered (/connz, by connection name), read before and after a load run. The evidence path's hop
// count and volume, comparable before and after a change. A counter that cannot be read is reported
// as null (n/a), never an error.
//
// Chaperone finishes a request's evidence after the response (audit consumes the events stream into
// the evidence stream, projections follow), so a window opens and closes only once the bus stands
// still: each run's messages are counted in its own window, not in the next run's.
'use strict';
const { performance } = require('node:perf_hooks');
const { connect } = require('nats');
const { isRunStream } = require('../../stack');

/** Counters that read nothing: every figure is n/a. */
const QUIET_MS = 1000;
const MAX_SETTLE_MS = 30_000;
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

const unavailable = {
  start: async () => ({
    stop: async (requests) => ({ requests, seconds: null, drainSeconds: null, msgsIn: null, msgsOut: null, kbIn: null, kbOut: null, jetStreamWrites: null, byService: {}, totals: {} }),
  }),
  close: async () => {},
};

/**
 * Opens a connection for reading the counters of natsUrl. monitorUrl (the server's HTTP monitoring
 * endpoint) is optional: without it, messages in and out are n/a. JetStream writes are read from the
 * streams of the run's bus prefix only, so other traffic on a shared server does not reach them.
 */
async function openNatsCounters({ natsUrl, monitorUrl, subjects, log }) {
  let nc;
  try {
    nc = await connect({ servers: natsUrl, name: 'chaperone-bench-counters' });
  } catch (e) {
    log(`NATS counters unavailable (${e.message}): msgs and JetStream writes are n/a`);
    return unavailable;
  }
  const jsm = await nc.jetstreamManager().catch((e) => log(`JetStream counters unavailable (${e.message})`));
  const failures = new Set();
  const attempt = async (what, read) => {
    try {
      return await read();
    } catch (e) {
      const message = `${what}: ${e.message}`;
      if (!failures.has(message)) log(`could not read ${message} (n/a)`);
      failures.add(message);
      return undefined;
    }
  };
  // Sum of last_seq over the run's streams: a stream's sequence counts every stored message, also
  // on a work-queue stream whose messages are deleted once acknowledged.
  const jetStreamWrites = () =>
    jsm
      ? attempt('JetStream stream states', async () => {
          let sum = 0;
          for await (const si of jsm.streams.list()) if (isRunStream(subjects, si.config.name)) sum += si.state.last_seq;
          return sum;
        })
      : undefined;
  const varz = () =>
    monitorUrl
      ? attempt(`${monitorUrl}/varz`, async () => {
          const res = await fetch(new URL('/varz', monitorUrl), { signal: globalThis.AbortSignal.timeout(5000) });
          if (!res.ok) throw new Error(`answered ${res.status}`);
          const v = await res.json();
          return { in: v.in_msgs, out: v.out_msgs, inBytes: v.in_bytes, outBytes: v.out_bytes };
        })
      : undefined;
  // Each service names its connection `<prefix>-<service>-<host>-<pid>-<id>` (connectBus).
  const serviceOf = serviceNamer(subjects.prefix);
  const connz = () =>
    monitorUrl
      ? attempt(`${monitorUrl}/connz`, async () => {
          const res = await fetch(new URL('/connz?limit=4096', monitorUrl), { signal: globalThis.AbortSignal.timeout(5000) });
          if (!res.ok) throw new Error(`answered ${res.status}`);
          return bytesByConnection((await res.json()).connections ?? [], serviceOf);
        })
      : undefined;
  // The run's evidence work is done when its streams stop growing and the events stream is drained.
  // Key-value buckets are left out, and /varz is not watched: the audit leases are renewed every
  // second and consumers send heartbeats whether requests come or not, so neither ever stands still.
  const busState = () =>
    jsm
      ? attempt('JetStream stream states', async () => {
          let sum = 0;
          let backlog = 0;
          for await (const si of jsm.streams.list()) {
            if (!isRunStream(subjects, si.config.name) || si.config.name.startsWith('KV_')) continue;
            sum += si.state.last_seq;
            if (si.config.name === subjects.eventsStream) backlog = si.state.messages;
          }
          return `${sum}/${backlog}`;
        })
      : undefined;
  /** Waits until the bus state has not changed for QUIET_MS; resolves with the seconds until its last change. */
  const settle = async () => {
    const t0 = performance.now();
    let last = await busState();
    let changed = t0;
    while (last !== undefined && performance.now() - changed < QUIET_MS) {
      if (performance.now() - t0 > MAX_SETTLE_MS) {
        log(`the bus still moves after ${MAX_SETTLE_MS / 1000} s; counting from here`);
        break;
      }
      await sleep(250);
      const now = await busState();
      if (now !== last) changed = performance.now();
      last = now;
    }
    return +((changed - t0) / 1000).toFixed(2);
  };
  const delta = (before, after) => (before === undefined || after === undefined ? null : after - before);
  const per = (d, n) => (d === null || !(n > 0) ? null : +(d / n).toFixed(2));
  return {
    /**
     * Reads the counters once the bus is quiet; stop(requests) waits for quiet again, reads them and
     * divides the deltas by requests. drainSeconds: how long the bus still moved after the load.
     */
    async start() {
      await settle();
      // Stream states first, /varz last (and the reverse in stop): the bench's own stream listing
      // stays outside the /varz window.
      const writes0 = await jetStreamWrites();
      const services0 = await connz();
      const msgs0 = await varz();
      const t0 = performance.now();
      return {
        async stop(requests) {
          const seconds = +((performance.now() - t0) / 1000).toFixed(2);
          const drainSeconds = await settle();
          const msgs1 = await varz();
          const services1 = await connz();
          const writes1 = await jetStreamWrites();
          const totals = {
            msgsIn: delta(msgs0?.in, msgs1?.in),
            msgsOut: delta(msgs0?.out, msgs1?.out),
            bytesIn: delta(msgs0?.inBytes, msgs1?.inBytes),
            bytesOut: delta(msgs0?.outBytes, msgs1?.outBytes),
            jetStreamWrites: delta(writes0, writes1),
          };
          return {
            requests,
            seconds,
            drainSeconds,
            msgsIn: per(totals.msgsIn, requests),
            msgsOut: per(totals.msgsOut, requests),
            kbIn: kbPer(totals.bytesIn, requests),
            kbOut: kbPer(totals.bytesOut, requests),
            jetStreamWrites: per(totals.jetStreamWrites, requests),
            byService: services0 && services1 ? serviceKbPer(services0, services1, requests) : {},
            totals,
          };
        },
      };
    },
    close: () => nc.close().catch(() => {}),
  };
}

const kbPer = (bytes, n) => (bytes === null || !(n > 0) ? null : +(bytes / 1024 / n).toFixed(2));

/** The service a connection of the run belongs to (from its name), or undefined for any other client. */
function serviceNamer(prefix) {
  const head = `${prefix}-`;
  return (name) => {
    if (typeof name !== 'string' || !name.startsWith(head)) return undefined;
    return /^[a-z]+/.exec(name.slice(head.length))?.[0];
  };
}

/**
 * The bytes each connection of a service published (in) and was delivered (out), by connection id
 * (a service may hold several: the bus, a blob store).
 */
function bytesByConnection(connections, serviceOf) {
  const out = {};
  for (const c of connections) {
    const service = serviceOf(c.name);
    if (service) out[c.cid] = { service, inBytes: c.in_bytes ?? 0, outBytes: c.out_bytes ?? 0 };
  }
  return out;
}

/**
 * KB per request each service published and was delivered between two bytesByConnection readings.
 * A connection closed in between drops out of the second; its share since the first is lost, so
 * the figures are a floor.
 */
function serviceKbPer(before, after, requests) {
  const bytes = {};
  for (const [cid, now] of Object.entries(after)) {
    const then = before[cid];
    const s = (bytes[now.service] ??= { in: 0, out: 0 });
    s.in += now.inBytes - (then?.inBytes ?? 0);
    s.out += now.outBytes - (then?.outBytes ?? 0);
  }
  return Object.fromEntries(Object.entries(bytes).map(([service, b]) => [service, { kbIn: kbPer(b.in, requests), kbOut: kbPer(b.out, requests) }]));
}

/** "1.23" or "n/a" for a figure that could not be read. */
const figure = (x) => (x === null || x === undefined ? 'n/a' : String(x));

/**
 * What the bus carries with no requests at all (consumer pulls, heartbeats, snapshots), per second:
 * part of every run's counts, so a per-request figure at r req/s holds about rate / r of it.
 */
async function busBackground(counters, seconds) {
  const window = await counters.start();
  await new Promise((r) => setTimeout(r, seconds * 1000));
  const n = await window.stop(0);
  const perSecond = (d) => (d === null || d === undefined || !(n.seconds > 0) ? null : +(d / n.seconds).toFixed(2));
  return { seconds: n.seconds, msgsInPerSecond: perSecond(n.totals.msgsIn), msgsOutPerSecond: perSecond(n.totals.msgsOut), jetStreamWritesPerSecond: perSecond(n.totals.jetStreamWrites) };
}

module.exports = { openNatsCounters, busBackground, unavailable, figure, serviceNamer };
