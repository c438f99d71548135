'use strict';
// Garbage-collection pauses of Chaperone's services during a run: each service's `v8js_gc_duration`
// histogram read from its /metrics before and after. A request that arrives while a process on its
// path is paused waits the pause out, so these are where latency tails come from.

const { scrapeHistograms, labelValue } = require('./metrics-scrape');

/** Above this a pause counts as long (a bucket bound of the histogram). */
const LONG_PAUSE_SECONDS = 0.005;
/** The label of the bucket that counts the pauses up to LONG_PAUSE_SECONDS. */
const SHORT_BUCKET = `le="${LONG_PAUSE_SECONDS}"`;

/** Per service and GC type: the histogram's sum (s), count and count above LONG_PAUSE_SECONDS. */
async function readGcPauses(metricsUrls) {
  const out = Object.fromEntries(Object.keys(metricsUrls).map((service) => [service, {}]));
  await Promise.all(
    Object.entries(metricsUrls).map(async ([service, url]) => {
      const byType = {};
      const of = (type) => (byType[type] ??= { sum: 0, count: 0, short: 0 });
      for (const { kind, labels, value } of await scrapeHistograms(url, ['v8js_gc_duration'])) {
        const type = labelValue(labels, 'v8js_gc_type') ?? 'other';
        if (kind !== 'bucket') of(type)[kind] += value;
        else if (labels.includes(SHORT_BUCKET)) of(type).short += value;
      }
      out[service] = byType;
    }),
  );
  return out;
}

/** Per service between two readings over `seconds` of run: pauses, ms paused, long pauses, and the share of the run paused. */
function gcPausesBetween(before, after, seconds) {
  const out = {};
  for (const [service, types] of Object.entries(after)) {
    let pauses = 0;
    let pausedS = 0;
    let long = 0;
    for (const [type, a] of Object.entries(types)) {
      const b = before[service]?.[type] ?? { sum: 0, count: 0, short: 0 };
      pauses += a.count - b.count;
      pausedS += a.sum - b.sum;
      long += a.count - a.short - (b.count - b.short);
    }
    out[service] = { pauses, pausedMs: +(pausedS * 1000).toFixed(1), longPauses: long, pausedShare: seconds > 0 ? +(pausedS / seconds).toFixed(4) : null };
  }
  return out;
}

/** "ingress 25 (328 ms, 25 over 5 ms), ..." for a log line. */
function gcLine(pauses) {
  return Object.entries(pauses)
    .map(([s, p]) => `${s} ${p.pauses} (${p.pausedMs} ms, ${p.longPauses} over ${LONG_PAUSE_SECONDS * 1000} ms)`)
    .join(', ');
}

module.exports = { LONG_PAUSE_SECONDS, readGcPauses, gcPausesBetween, gcLine };
