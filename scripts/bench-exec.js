#!/usr/bin/env node
// Exec throughput: MB/s of a large output read with the real kubectl exec (process start included),
// straight from the test API server, through a blind splice proxy (http-proxy-3, no recording), and
// through Chaperone: unmasked (relayed and recorded, the recording masked in the ingress) and masked
// (output masked line by line by the masking service, and recorded). Prints a table; writes
// bench-results/exec.json. Usage: node scripts/bench-exec.js [megabytes=32] [runs=3]
'use strict';
const { spawn } = require('node:child_process');
const { mkdirSync, writeFileSync } = require('node:fs');
const { cpus } = require('node:os');
const path = require('node:path');
const { startBenchGateway } = require('./bench-stack');
const { forkHelper, stopAll } = require('./bench/processes');
const { ROOT, agentKubeconfig } = require('./stack');

const MB = Number(process.argv[2] || 32);
const RUNS = Number(process.argv[3] || 3);
const POD = 'web-7d4b9c8f5-abcde';
// Text lines, so line masking passes every byte (binary output is not line-maskable).
const COMMAND = ['sh', '-c', `yes chaperone-exec-throughput-0123456789abcdefghijklmnopqrstuvwxyz | head -c ${MB * 1024 * 1024}`];

/** One kubectl exec; resolves to { seconds, bytes }. */
function execOnce(kubeconfig, dir) {
  return new Promise((resolve, reject) => {
    const started = process.hrtime.bigint();
    const child = spawn('kubectl', ['--kubeconfig', kubeconfig, 'exec', POD, '--', ...COMMAND], { env: { PATH: process.env.PATH, HOME: dir } });
    let bytes = 0;
    let err = '';
    child.stdout.on('data', (d) => (bytes += d.length));
    child.stderr.on('data', (d) => (err += d.toString()));
    child.on('close', (code) => {
      if (code !== 0) return reject(new Error(`kubectl exec exited ${code}: ${err.slice(0, 300)}`));
      resolve({ seconds: Number(process.hrtime.bigint() - started) / 1e9, bytes });
    });
  });
}

async function measure(name, kubeconfig, dir) {
  const runs = [];
  for (let i = 0; i < RUNS; i++) runs.push(await execOnce(kubeconfig, dir).catch((e) => Promise.reject(new Error(`${name}: ${e.message}`))));
  const rates = runs.map((r) => r.bytes / 1048576 / r.seconds).sort((a, b) => a - b);
  const median = rates[Math.floor(rates.length / 2)];
  return { name, runs: runs.length, bytes: runs[0].bytes, mibPerSecond: +median.toFixed(1), best: +rates[rates.length - 1].toFixed(1) };
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
    subjects: { groups: ["raw", "masked"] }
    verbs: ["get"]
    apiGroups: [""]
    resources: ["pods"]
  - name: exec-unmasked
    effect: allow
    unmasked: true
    subjects: { groups: ["raw"] }
    verbs: ["create", "get"]
    apiGroups: [""]
    resources: ["pods/exec"]
  - name: exec-masked
    effect: allow
    subjects: { groups: ["masked"] }
    verbs: ["create", "get"]
    apiGroups: [""]
    resources: ["pods/exec"]
`,
    env: { CHAPERONE_MASKING_TIMEOUT_MS: '60000' },
  });
  const { dir, cert, gatewayUrl, gatewayToken } = g;
  try {
    const bare = await forkHelper('bare-proxy', path.join(__dirname, 'bench', 'bare-proxy.js'), [cert.certFile, cert.keyFile, g.api.url, cert.certFile, gatewayToken]);
    const kc = (name, server, token) => {
      const file = path.join(dir, `${name}.kubeconfig`);
      writeFileSync(file, agentKubeconfig({ server, caPem: cert.certPem, token }));
      return file;
    };
    const raw = await g.issuer.sign({ sub: 'bench-raw', agent: 'bench-raw', groups: ['raw'] }, { expiresIn: 3600 });
    const masked = await g.issuer.sign({ sub: 'bench-masked', agent: 'bench-masked', groups: ['masked'] }, { expiresIn: 3600 });
    const rows = [
      await measure('test API server directly', kc('direct', g.api.url, gatewayToken), dir),
      await measure('blind splice (http-proxy-3, unrecorded)', kc('splice', bare.url, 'unused'), dir),
      await measure('Chaperone, unmasked rule (relayed, recorded)', kc('raw', gatewayUrl, raw), dir),
      await measure('Chaperone, masked (masking service, recorded)', kc('masked', gatewayUrl, masked), dir),
    ];
    console.log(`kubectl exec ${POD} -- ${COMMAND.join(' ')}: median of ${RUNS} runs (kubectl start-up included)\n`);
    console.log('| path | MiB/s (median) | best | vs splice |');
    console.log('|---|---|---|---|');
    const splice = rows[1].mibPerSecond;
    for (const r of rows) console.log(`| ${r.name} | ${r.mibPerSecond} | ${r.best} | ${(r.mibPerSecond / splice).toFixed(2)}x |`);
    const result = { machine: { cpus: cpus().length, model: cpus()[0]?.model, node: process.version }, when: new Date().toISOString(), megabytes: MB, rows };
    mkdirSync(path.join(ROOT, 'bench-results'), { recursive: true });
    const out = path.join(ROOT, 'bench-results', 'exec.json');
    writeFileSync(out, JSON.stringify(result, null, 2));
    console.log(`\nwritten ${path.relative(process.cwd(), out)}`);
  } finally {
    await stopAll();
    await g.stop();
  }
}

main().catch(async (e) => {
  console.error(e);
  await stopAll().catch(() => undefined);
  process.exit(1);
});
