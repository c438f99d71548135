#!/usr/bin/env node
// Masking figures: (1) engine throughput in MB/s, one core: the document masker the service runs
// (maskJsonDocument, one pass over the bytes) and the tree masker it replaced (parse + mask +
// serialise, maskJsonDocumentByTree), (2) the
// latency masking adds to a 1 MB and a 64 MB secret list through the gateway: the same GET by an
// agent (masked) and by a break-glass identity whose rule says `unmasked: true` (raw), plus the
// test API server directly. Prints a table and writes bench-results/masking.json.
// Usage: node scripts/bench masking
'use strict';
const https = require('node:https');
const { mkdirSync, writeFileSync } = require('node:fs');
const { cpus } = require('node:os');
const path = require('node:path');
const { performance } = require('node:perf_hooks');
const { maskJsonDocument, maskJsonDocumentByTree, profileFor } = require('@chaperone/masking');
const { ROOT, startBenchGateway } = require('../stack');

function secrets(prefix, targetBytes) {
  const value = Buffer.from(`s3cr3t-${'x'.repeat(700)}`).toString('base64');
  const n = Math.ceil(targetBytes / (value.length + 160));
  return Array.from({ length: n }, (_, i) => ({
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name: `${prefix}-${i}`, namespace: 'default' },
    type: 'Opaque',
    data: { token: value },
  }));
}

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  return +s[Math.floor(s.length / 2)].toFixed(2);
}

function engine(sizeBytes, runs) {
  const body = Buffer.from(JSON.stringify({ apiVersion: 'v1', kind: 'SecretList', items: secrets('e', sizeBytes) }));
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

function get(base, pathName, token, ca) {
  return new Promise((resolve, reject) => {
    const t = performance.now();
    https
      .get(new URL(pathName, base), { ca, headers: { authorization: `Bearer ${token}`, accept: 'application/json' } }, (res) => {
        let bytes = 0;
        res.on('data', (c) => (bytes += c.length));
        res.on('end', () => (res.statusCode === 200 ? resolve({ ms: performance.now() - t, bytes }) : reject(new Error(`status ${res.statusCode}`))));
      })
      .on('error', reject);
  });
}

async function main() {
  const result = { machine: { cpus: cpus().length, model: cpus()[0]?.model, node: process.version }, when: new Date().toISOString() };
  result.engine = { '1MB': engine(1024 * 1024, 15), '64MB': engine(64 * 1024 * 1024, 3) };

  const g = await startBenchGateway({
    // Two namespaces of data: 1 MB and 64 MB of secrets.
    prepare: (api) => {
      api.addObjects('namespaces', '', [{ metadata: { name: 'small' } }, { metadata: { name: 'large' } }]);
      api.addObjects('secrets', '', secrets('s', 1024 * 1024).map((o) => ({ ...o, metadata: { ...o.metadata, namespace: 'small' } })));
      api.addObjects('secrets', '', secrets('l', 64 * 1024 * 1024).map((o) => ({ ...o, metadata: { ...o.metadata, namespace: 'large' } })));
    },
    rules: `  - name: read-secrets
    effect: allow
    subjects: { groups: ["agents", "breakglass"] }
    verbs: ["list"]
    apiGroups: [""]
    resources: ["secrets"]
  - name: raw-secrets
    effect: allow
    unmasked: true
    subjects: { groups: ["breakglass"] }
    verbs: ["list"]
    apiGroups: [""]
    resources: ["secrets"]
`,
    env: { CHAPERONE_MASKING_TIMEOUT_MS: '60000' },
  });
  const { api, cert, issuer, gatewayToken } = g;
  const gateway = g.gatewayUrl;
  try {
    const agent = await issuer.sign({ sub: 'bench-agent', groups: ['agents'] }, { expiresIn: 3600 });
    const raw = await issuer.sign({ sub: 'bench-operator', groups: ['breakglass'] }, { expiresIn: 3600 });
    result.gateway = {};
    for (const [label, ns, runs] of [['1MB', 'small', 15], ['64MB', 'large', 3]]) {
      const p = `/api/v1/namespaces/${ns}/secrets`;
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
  for (const label of ['1MB', '64MB']) {
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
