#!/usr/bin/env node
// Latency of an allowed `kubectl get` through Chaperone against the test API server directly.
// Two views: the real kubectl (process start included, what an agent sees per command) and a
// keep-alive HTTPS client (the gateway's own added latency). Prints a table and writes JSON.
// Usage: node scripts/bench spine [kubectlRuns=30] [httpRequests=2000]
'use strict';
const { execFile } = require('node:child_process');
const { promisify } = require('node:util');
const run = promisify(execFile);
const { writeFileSync, mkdirSync } = require('node:fs');
const { cpus } = require('node:os');
const path = require('node:path');
const { performance } = require('node:perf_hooks');
const { ROOT, agentKubeconfig, startBenchGateway } = require('../stack');
const { summarize, sequentialGets } = require('./lib/timing');

const KUBECTL_RUNS = Number(process.argv[2] || 30);
const HTTP_REQUESTS = Number(process.argv[3] || 2000);

// Async on purpose: the direct test API server runs in this process and must keep serving.
// Direct and gateway runs alternate so machine noise hits both alike.
async function kubectlTimes(kubeconfigs, dir) {
  const times = kubeconfigs.map(() => []);
  const get = (kc) => run('kubectl', ['--kubeconfig', kc, 'get', 'pod', 'worker-0', '-o', 'name'], { env: { PATH: process.env.PATH, HOME: dir } });
  for (const kc of kubeconfigs) for (let i = 0; i < 3; i++) await get(kc); // warm-up: discovery cache
  for (let i = 0; i < KUBECTL_RUNS; i++) {
    for (const [k, kc] of kubeconfigs.entries()) {
      const t = performance.now();
      await get(kc);
      times[k].push(performance.now() - t);
    }
  }
  return times.map((t) => summarize(t));
}

async function httpTimes(base, token, ca) {
  const { times, failed } = await sequentialGets(new URL('/api/v1/namespaces/default/pods/worker-0', base), { token, ca, n: HTTP_REQUESTS, warmUp: 50 });
  if (failed > 0) throw new Error(`${failed} of ${HTTP_REQUESTS} requests were not answered 200`);
  return summarize(times);
}

async function main() {
  const g = await startBenchGateway({
    rules: `  - name: discovery
    effect: allow
    subjects: { groups: ["*"] }
    verbs: ["get"]
    nonResourceURLs: ["/api", "/api/*", "/apis", "/apis/*", "/version", "/openapi/*"]
  - name: read-pods
    effect: allow
    subjects: { groups: ["agents"] }
    verbs: ["get", "list"]
    apiGroups: [""]
    resources: ["pods"]
`,
  });
  const { dir, cert, gatewayUrl, gatewayToken } = g;
  const direct = g.api;
  try {
    const agentToken = await g.issuer.sign({ sub: 'bench-agent', agent: 'bench-agent', groups: ['agents'] }, { expiresIn: 3600 });
    const kcDirect = path.join(dir, 'direct.kubeconfig');
    const kcGateway = path.join(dir, 'gateway.kubeconfig');
    writeFileSync(kcDirect, agentKubeconfig({ server: direct.url, caPem: cert.certPem, token: gatewayToken }));
    writeFileSync(kcGateway, agentKubeconfig({ server: gatewayUrl, caPem: cert.certPem, token: agentToken }));

    const result = {
      machine: { cpus: cpus().length, model: cpus()[0]?.model, node: process.version },
      when: new Date().toISOString(),
      kubectl: await kubectlTimes([kcDirect, kcGateway], dir).then(([direct, gateway]) => ({ direct, gateway })),
      httpKeepAlive: { direct: await httpTimes(direct.url, gatewayToken, cert.certPem), gateway: await httpTimes(gatewayUrl, agentToken, cert.certPem) },
    };
    const rows = [
      ['kubectl get pod (process per call)', result.kubectl],
      ['HTTPS GET pod, keep-alive client', result.httpKeepAlive],
    ];
    console.log('| path | direct p50 / p95 (ms) | through Chaperone p50 / p95 (ms) | added p50 (ms) |');
    console.log('|---|---|---|---|');
    for (const [name, r] of rows) {
      console.log(`| ${name} | ${r.direct.p50} / ${r.direct.p95} | ${r.gateway.p50} / ${r.gateway.p95} | ${(r.gateway.p50 - r.direct.p50).toFixed(2)} |`);
    }
    mkdirSync(path.join(ROOT, 'bench-results'), { recursive: true });
    const out = path.join(ROOT, 'bench-results', 'spine-latency.json');
    writeFileSync(out, JSON.stringify(result, null, 2));
    console.log(`\nwritten ${path.relative(process.cwd(), out)}`);
  } finally {
    await g.stop();
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
