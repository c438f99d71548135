'use strict';
// What the ingress waited on during a run: its `chaperone_ingress_step_duration` histogram (and the
// request histogram) read from its /metrics before and after, as mean milliseconds per request.

const { scrapeHistograms, labelValue } = require('./metrics-scrape');

const STEPS = ['authenticate', 'decide', 'upstream', 'mask', 'complete'];

/** Sums and counts of the step histogram by step, and of the request histogram, from a scrape. */
async function readIngressSteps(metricsUrl) {
  const figures = { requests: { sum: 0, count: 0 }, steps: Object.fromEntries(STEPS.map((s) => [s, { sum: 0, count: 0 }])) };
  for (const { name, kind, labels, value } of await scrapeHistograms(metricsUrl, ['chaperone_ingress_step_duration', 'http_server_request_duration'])) {
    if (kind === 'bucket') continue;
    if (name === 'http_server_request_duration') {
      figures.requests[kind] += value;
      continue;
    }
    const step = labelValue(labels, 'chaperone_step');
    if (step && figures.steps[step]) figures.steps[step][kind] += value;
  }
  return figures;
}

/** Mean ms per request between two scrapes: of the whole request at the ingress, and of each step it reached. */
function stepMeans(before, after) {
  const mean = (a, b) => (b.count > a.count ? +(((b.sum - a.sum) * 1000) / (b.count - a.count)).toFixed(3) : null);
  return {
    requests: after.requests.count - before.requests.count,
    requestMs: mean(before.requests, after.requests),
    steps: Object.fromEntries(STEPS.map((s) => [s, mean(before.steps[s], after.steps[s])])),
  };
}

module.exports = { STEPS, readIngressSteps, stepMeans };
