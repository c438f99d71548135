// Exec throughput: MB/s of a large output read with the real kubectl exec (process start included),
// straight from the test API server, through a blind splice proxy (http-proxy-3, no recording), and
// through Chaperone: unmasked (relayed and recorded, the recording masked in the ingress) and masked
// (output masked line by line by the masking service, and recorded). Used by the exec topic (exec.js)
// and, through recording.js, by `npm run bench`.
'use strict';
const { spawn } = require('node:child_process');
const { writeFileSync } = require('node:fs');
const path = require('node:path');
const { forkHelper } = require('./processes');
const { agentKubeconfig } = require('../../stack');

const POD = 'web-7d4b9c8f5-abcde';

/** The rules execThroughput needs in the gateway's policy: group `raw` execs unmasked, `masked` masked. */
const EXEC_RULES = `  - name: discovery
    effect: allow
    subjects: { groups: ["*"] }
    verbs: ["get"]
    nonResourceURLs: ["/api", "/api/*", "/apis", "/apis/*", "/version", "/openapi/*"]
  - name: exec-read-pods
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
`;

// Text lines, so line masking passes every byte (binary output is not line-maskable).
const command = (mb) => ['sh', '-c', `yes chaperone-exec-throughput-0123456789abcdefghijklmnopqrstuvwxyz | head -c ${mb * 1024 * 1024}`];

/** One kubectl exec; resolves to { seconds, bytes }. */
function execOnce(kubeconfig, dir, argv) {
  return new Promise((resolve, reject) => {
    const started = process.hrtime.bigint();
    const child = spawn('kubectl', ['--kubeconfig', kubeconfig, 'exec', POD, '--', ...argv], { env: { PATH: process.env.PATH, HOME: dir } });
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

async function measure(name, kubeconfig, dir, argv, runs) {
  const done = [];
  for (let i = 0; i < runs; i++) done.push(await execOnce(kubeconfig, dir, argv).catch((e) => Promise.reject(new Error(`${name}: ${e.message}`))));
  const rates = done.map((r) => r.bytes / 1048576 / r.seconds).sort((a, b) => a - b);
  const median = rates[Math.floor(rates.length / 2)];
  return { name, runs: done.length, bytes: done[0].bytes, mibPerSecond: +median.toFixed(1), best: +rates[rates.length - 1].toFixed(1) };
}

/**
 * Runs the four paths against a gateway from startBenchGateway whose policy holds EXEC_RULES.
 * Returns the figures and a markdown table of them.
 */
async function execThroughput(g, { megabytes = 32, runs = 3 } = {}) {
  const { dir, cert, gatewayUrl, gatewayToken } = g;
  const argv = command(megabytes);
  const bare = await forkHelper('bare-proxy (exec)', path.join(__dirname, 'bare-proxy.js'), [cert.certFile, cert.keyFile, g.api.url, cert.certFile, gatewayToken]);
  try {
    const kc = (name, server, token) => {
      const file = path.join(dir, `${name}.kubeconfig`);
      writeFileSync(file, agentKubeconfig({ server, caPem: cert.certPem, token }));
      return file;
    };
    const raw = await g.issuer.sign({ sub: 'bench-raw', agent: 'bench-raw', groups: ['raw'] }, { expiresIn: 3600 });
    const masked = await g.issuer.sign({ sub: 'bench-masked', agent: 'bench-masked', groups: ['masked'] }, { expiresIn: 3600 });
    const rows = [
      await measure('test API server directly', kc('direct', g.api.url, gatewayToken), dir, argv, runs),
      await measure('blind splice (http-proxy-3, unrecorded)', kc('splice', bare.url, 'unused'), dir, argv, runs),
      await measure('Chaperone, unmasked rule (relayed, recorded)', kc('raw', gatewayUrl, raw), dir, argv, runs),
      await measure('Chaperone, masked (masking service, recorded)', kc('masked', gatewayUrl, masked), dir, argv, runs),
    ];
    const splice = rows[1].mibPerSecond;
    const markdown = [
      `kubectl exec ${POD} -- ${argv.join(' ')}: median of ${runs} runs (kubectl start-up included)`,
      '',
      '| path | MiB/s (median) | best | vs splice |',
      '|---|---|---|---|',
      ...rows.map((r) => `| ${r.name} | ${r.mibPerSecond} | ${r.best} | ${(r.mibPerSecond / splice).toFixed(2)}x |`),
    ].join('\n');
    return { result: { megabytes, rows }, markdown };
  } finally {
    await new Promise((resolve) => {
      if (bare.child.exitCode !== null || bare.child.signalCode !== null) return resolve();
      bare.child.once('exit', resolve);
      bare.child.kill('SIGTERM');
    });
  }
}

module.exports = { EXEC_RULES, execThroughput };
