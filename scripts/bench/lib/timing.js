// The benches' latency figures: nearest-rank percentiles, a summary of samples, and timed HTTPS GETs
// one after another on one keep-alive connection (sub-millisecond figures autocannon cannot give).
'use strict';
const https = require('node:https');
const { performance } = require('node:perf_hooks');

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

module.exports = { quantile, summarize, sequentialGets };
