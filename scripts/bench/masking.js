#!/usr/bin/env node
// Masking figures: (1) engine throughput in MB/s, one core: the document masker the service runs
// (maskJsonDocument, one pass over the bytes) and the tree masker it replaced (parse + mask +
// serialise, maskJsonDocumentByTree), (2) the latency masking adds through the gateway to a 1 MB
// and a 64 MB secret list, a 1 MB pod list and a 1 MB list of config maps holding config files:
// the same GET by an agent (masked) and by a break-glass identity whose rule says `unmasked: true`
// (raw), plus the test API server directly. Prints a table and writes bench-results/masking.json.
// Usage: node scripts/bench masking
'use strict';
const https = require('node:https');
const { mkdirSync, writeFileSync } = require('node:fs');
const { cpus } = require('node:os');
const path = require('node:path');
const { performance } = require('node:perf_hooks');
const { maskJsonDocument, maskJsonDocumentByTree, profileFor } = require('@chaperone/masking');
const { ROOT, startBenchGateway } = require('../stack');
const { configMapItem, itemsUpTo, podItem, secretList } = require('./lib/fixtures');

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  return +s[Math.floor(s.length / 2)].toFixed(2);
}

/** The lists read through the gateway besides the secrets: about 1 MB of items each (more as served), each in a namespace of its own. */
const OTHER_LISTS = [
  { label: 'pod list', namespace: 'pods', resource: 'pods', kind: 'Pod', item: podItem },
  { label: 'config map list', namespace: 'configs', resource: 'configmaps', kind: 'ConfigMap', item: configMapItem },
];

const otherItems = (list) => itemsUpTo(1024 * 1024, (i) => ({ apiVersion: 'v1', kind: list.kind, ...list.item(i, list.namespace) }));

/** The engine on `body`: median ms and MB/s of the one-pass masker, and of the tree masker. */
function engine(body, runs) {
  const profile = profileFor('default');
  const time = (mask) => {
    const times = [];
    for (let i = 0; i < runs; i++) {
      const t = performance.now();
      mask(body, profile);
      times.push(performance.now() - t);
    }
    const ms = median(times);
    return { ms, mbPerSecond: +((body.length / 1024 / 1024) / (ms / 1000)).toFixed(1) };
  };
  const tree = time(maskJsonDocumentByTree);
  return { bytes: body.length, ...time(maskJsonDocument), tree };
}

/** One GET: its time and size, and with `keep` its body. */
function get(base, pathName, token, ca, keep = false) {
  return new Promise((resolve, reject) => {
    const t = performance.now();
    https
      .get(new URL(pathName, base), { ca, headers: { authorization: `Bearer ${token}`, accept: 'application/json' } }, (res) => {
        let bytes = 0;
        const chunks = [];
        res.on('data', (c) => {
          bytes += c.length;
          if (keep) chunks.push(c);
        });
        res.on('end', () => (res.statusCode === 200 ? resolve({ ms: performance.now() - t, bytes, body: Buffer.concat(chunks) }) : reject(new Error(`status ${res.statusCode}`))));
      })
      .on('error', reject);
  });
}

async function main() {
  const result = { machine: { cpus: cpus().length, model: cpus()[0]?.model, node: process.version }, when: new Date().toISOString() };
  const secretListDocument = (bytes) => Buffer.from(JSON.stringify({ apiVersion: 'v1', kind: 'SecretList', items: secretList('default', bytes) }));
  result.engine = { '1MB': engine(secretListDocument(1024 * 1024), 15), '64MB': engine(secretListDocument(64 * 1024 * 1024), 3) };

  const g = await startBenchGateway({
    // Namespaces of data: 1 MB and 64 MB of secrets, 1 MB of pods, 1 MB of config maps.
    prepare: (api) => {
      api.addObjects('namespaces', '', ['small', 'large', ...OTHER_LISTS.map((l) => l.namespace)].map((name) => ({ metadata: { name } })));
      api.addObjects('secrets', '', secretList('small', 1024 * 1024));
      api.addObjects('secrets', '', secretList('large', 64 * 1024 * 1024));
      for (const list of OTHER_LISTS) api.addObjects(list.resource, '', otherItems(list));
    },
    rules: `  - name: read-lists
    effect: allow
    subjects: { groups: ["agents", "breakglass"] }
    verbs: ["list"]
    apiGroups: [""]
    resources: ["secrets", "pods", "configmaps"]
  - name: raw-lists
    effect: allow
    unmasked: true
    subjects: { groups: ["breakglass"] }
    verbs: ["list"]
    apiGroups: [""]
    resources: ["secrets", "pods", "configmaps"]
`,
    env: { CHAPERONE_MASKING_TIMEOUT_MS: '60000' },
  });
  const { api, cert, issuer, gatewayToken } = g;
  const gateway = g.gatewayUrl;
  try {
    const agent = await issuer.sign({ sub: 'bench-agent', groups: ['agents'] }, { expiresIn: 3600 });
    const raw = await issuer.sign({ sub: 'bench-operator', groups: ['breakglass'] }, { expiresIn: 3600 });
    result.gateway = {};
    // The API server fills in defaults (a pod's status, ...): the engine masks the list as served.
    for (const list of OTHER_LISTS) result.engine[list.label] = engine((await get(api.url, `/api/v1/namespaces/${list.namespace}/${list.resource}`, gatewayToken, cert.certPem, true)).body, 15);
    const reads = [['1MB', 'small', 'secrets', 15], ['64MB', 'large', 'secrets', 3], ...OTHER_LISTS.map((l) => [l.label, l.namespace, l.resource, 15])];
    for (const [label, ns, resource, runs] of reads) {
      const p = `/api/v1/namespaces/${ns}/${resource}`;
      const samples = { direct: [], unmasked: [], masked: [] };
      let bytes = 0;
      for (let i = 0; i < runs + 1; i++) {
        const d = await get(api.url, p, gatewayToken, cert.certPem);
        const u = await get(gateway, p, raw, cert.certPem);
        const m = await get(gateway, p, agent, cert.certPem);
        bytes = d.bytes;
        if (i === 0) continue; // warm-up
        samples.direct.push(d.ms);
        samples.unmasked.push(u.ms);
        samples.masked.push(m.ms);
      }
      const r = { bytes, direct: median(samples.direct), unmasked: median(samples.unmasked), masked: median(samples.masked) };
      r.maskingAddsMs = +(r.masked - r.unmasked).toFixed(2);
      result.gateway[label] = r;
    }
  } finally {
    await g.stop();
  }
  console.log('| list | engine (bytes; tree) | direct | gateway, raw (unmasked rule) | gateway, masked | masking adds |');
  console.log('|---|---|---|---|---|---|');
  for (const label of ['1MB', '64MB', ...OTHER_LISTS.map((l) => l.label)]) {
    const e = result.engine[label];
    const g = result.gateway[label];
    console.log(`| ${label} (${(g.bytes / 1024 / 1024).toFixed(1)} MiB upstream) | ${e.mbPerSecond} MB/s (${e.ms} ms); ${e.tree.mbPerSecond} MB/s (${e.tree.ms} ms) | ${g.direct} ms | ${g.unmasked} ms | ${g.masked} ms | ${g.maskingAddsMs} ms |`);
  }
  mkdirSync(path.join(ROOT, 'bench-results'), { recursive: true });
  writeFileSync(path.join(ROOT, 'bench-results', 'masking.json'), JSON.stringify(result, null, 2));
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
