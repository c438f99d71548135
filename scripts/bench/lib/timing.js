// The benches' latency figures: nearest-rank percentiles, a summary of samples, and timed HTTPS GETs
// one after another on one keep-alive connection (sub-millisecond figures autocannon cannot give).
'use strict';
const https = require('node:https');
const { performance } = require('node:perf_hooks');
const { preparedGet, keepAlivePool } = require('./keep-alive-gets');

/** The sample at quantile q (0..1) of ascending samples by nearest rank (the floor(q·n)-th), rounded to digits; null when there is none. */
function quantile(sorted, q, digits = 3) {
  return sorted.length > 0 ? +sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))].toFixed(digits) : null;
}

/** n, p50, p95, p99, max and mean of millisecond samples, rounded to digits. */
function summarize(samples, digits = 3) {
  const s = [...samples].sort((a, b) => a - b);
  const mean = s.length > 0 ? +(s.reduce((a, b) => a + b, 0) / s.length).toFixed(digits) : null;
  return { n: s.length, p50: quantile(s, 0.5, digits), p95: quantile(s, 0.95, digits), p99: quantile(s, 0.99, digits), max: quantile(s, 1, digits), mean };
}

/**
 * n GETs of url with a bearer token, one after another on one keep-alive connection, each timed
 * with performance.now(); warmUp more before them, not counted. The server's certificate is checked
 * against ca when given. Resolves with the times (ms) of those answered 200 and how many were not.
 * @param {URL | string} url
 * @param {{ token: string, n: number, warmUp?: number, ca?: string }} o
 */
async function sequentialGets(url, { token, n, warmUp = 0, ca }) {
  const agent = new https.Agent({ keepAlive: true, maxSockets: 1, ...(ca ? { ca } : { rejectUnauthorized: false }) });
  const once = () =>
    new Promise((resolve, reject) => {
      const t = performance.now();
      https
        .get(url, { agent, headers: { authorization: `Bearer ${token}`, accept: 'application/json' } }, (res) => {
          res.resume();
          res.on('end', () => resolve(res.statusCode === 200 ? performance.now() - t : undefined));
        })
        .on('error', reject);
    });
  try {
    for (let i = 0; i < warmUp; i++) await once();
    const times = [];
    let failed = 0;
    for (let i = 0; i < n; i++) {
      const ms = await once();
      if (ms === undefined) failed++;
      else times.push(ms);
    }
    return { times, failed };
  } finally {
    agent.destroy();
  }
}

/**
 * Open-loop load at a constant arrival rate, as wrk2 and k6's constant-arrival-rate give it: one GET
 * every 1/rate seconds whatever the answers, over a pool of keep-alive connections, each timed from
 * the moment it was due (so a slow answer shows as latency, not as fewer requests sent). This is
 * what "a fixed rate" means for the latency goals. autocannon's overallRate is not it: each of its
 * connections sends its quota for the second back to back and then waits for the next second, so
 * the load arrives in bursts at the closed-loop rate and measures the maximum-throughput latency.
 * The pool is fixed (maxSockets, opened first, as a client that keeps its connections does): a
 * request due while every connection is busy waits for one, and that wait counts. A warm-up at the
 * same rate (not counted) follows; beforeMeasuring runs after it.
 * Resolves with { requests, sent, rps, ok, failed, mbPerSecond, times } (times: ms of those answered 200).
 * Given several URLs (and tokens, one per URL), the requests take them in turn.
 * @param {URL | string | (URL | string)[]} url
 * @param {{ token?: string, tokens?: string[], rate: number, duration: number, warmUp?: number, maxSockets?: number, ca?: string, beforeMeasuring?: () => Promise<void> }} o
 */
async function pacedGets(url, { token, rate, duration, warmUp = 2, maxSockets = 10, ca, tokens, beforeMeasuring }) {
  const targets = (Array.isArray(url) ? url : [url]).map((u) => new URL(u));
  const bearers = tokens ?? targets.map(() => token);
  // One pool per host (the targets may differ only in path and token), as one agent keeps one per host.
  const pools = new Map();
  const poolOf = (u) => {
    if (!pools.has(u.host)) pools.set(u.host, keepAlivePool(u, { maxSockets, ca }));
    return pools.get(u.host);
  };
  const requests = targets.map((u, k) => ({ pool: poolOf(u), bytes: preparedGet(u, { authorization: `Bearer ${bearers[k]}`, accept: 'application/json' }) }));
  /** GET the k-th target; done(ok, bytes) once, with whether it was answered 200. */
  const get = (k, done) => requests[k].pool.get(requests[k].bytes, done);
  const run = (seconds) =>
    new Promise((resolve) => {
      const total = Math.max(1, Math.round(rate * seconds));
      const interval = 1000 / rate;
      const times = [];
      let failed = 0;
      let bytes = 0;
      let due = 0;
      let settled = 0;
      const t0 = performance.now() + 5;
      const send = (scheduled, i) =>
        get(i % targets.length, (ok, n) => {
          if (ok) times.push(performance.now() - scheduled);
          else failed++;
          bytes += n;
          if (++settled === total) resolve({ total, times, failed, bytes, seconds: (performance.now() - t0) / 1000 });
        });
      const tick = () => {
        const now = performance.now();
        for (; due < total && t0 + due * interval <= now; due++) send(t0 + due * interval, due);
        if (due < total) setTimeout(tick, Math.max(0, t0 + due * interval - performance.now()));
      };
      setTimeout(tick, 5);
    });
  try {
    // Every connection of the pool open before the first timed request.
    await Promise.all(Array.from({ length: maxSockets }, () => new Promise((resolve) => get(0, resolve))));
    if (warmUp > 0) await run(warmUp);
    if (beforeMeasuring) await beforeMeasuring();
    const r = await run(duration);
    return {
      requests: r.total,
      sent: r.total,
      rps: +(r.total / r.seconds).toFixed(1),
      ok: r.times.length,
      failed: r.failed,
      mbPerSecond: +(r.bytes / 1024 / 1024 / r.seconds).toFixed(2),
      times: r.times,
    };
  } finally {
    for (const pool of pools.values()) pool.close();
  }
}

module.exports = { quantile, summarize, sequentialGets, pacedGets };
