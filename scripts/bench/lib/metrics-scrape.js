'use strict';
// One read of a service's /metrics (Prometheus text): the samples of the histograms a bench figure
// is made of, for the callers to add up between two reads.

/** Every `<name>_sum|_count|_bucket{labels} value` line of the named histograms, one scrape. */
async function scrapeHistograms(metricsUrl, names) {
  const res = await fetch(metricsUrl);
  if (!res.ok) throw new Error(`${metricsUrl} answered ${res.status}`);
  const sample = new RegExp(`^(${names.join('|')})_(sum|count|bucket)\\{([^}]*)\\} (\\S+)$`);
  const samples = [];
  for (const line of (await res.text()).split('\n')) {
    const m = sample.exec(line);
    if (m) samples.push({ name: m[1], kind: m[2], labels: m[3], value: Number(m[4]) });
  }
  return samples;
}

/** The value of label `name` in a sample's label text, or undefined. */
function labelValue(labels, name) {
  const at = labels.indexOf(`${name}="`);
  if (at < 0) return undefined;
  const from = at + name.length + 2;
  return labels.slice(from, labels.indexOf('"', from));
}

module.exports = { scrapeHistograms, labelValue };
