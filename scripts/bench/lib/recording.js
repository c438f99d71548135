// What recording costs: a small request (get pod) and a 1 MB list (secrets) under a rule with
// `record: none` against the same rule with `record: request-and-response` (both masked, so the only
// difference is the stored bodies): p50 and p99 of one keep-alive client sending one request at a
// time, and CPU milliseconds per request summed over the gateway's processes (the blob writes
// included, read after the bus settles). Then exec throughput, recorded against unrecorded
// (exec-throughput.js). Starts its own gateway (startBenchGateway, scripts/stack.js) and stops it.
'use strict';
const { readFileSync } = require('node:fs');
const { startBenchGateway } = require('../../stack');
const { BENCH_NAMESPACE, secretList } = require('./fixtures');
const { EXEC_RULES, execThroughput } = require('./exec-throughput');
const { quantile, sequentialGets } = require('./timing');

const LEVELS = ['none', 'request-and-response'];
const readRule = (level) => `  - name: read-record-${level}
    effect: allow
    subjects: { groups: ["record-${level}"] }
    verbs: ["get", "list"]
    apiGroups: [""]
    resources: ["pods", "secrets"]
    record: ${level}
`;
const SCENARIOS = [
  { id: 'small', label: 'get pod (small)', path: '/api/v1/namespaces/default/pods/worker-0', n: 300 },
  { id: 'list-1mb', label: `list secrets, 1 MB`, path: `/api/v1/namespaces/${BENCH_NAMESPACE}/secrets`, n: 40 },
];

/** CPU seconds (user + system) of a pid from /proc, undefined once it is gone. */
function cpuSeconds(pid) {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return undefined;
  }
}
const totalCpu = (processes) => processes.reduce((sum, p) => sum + (cpuSeconds(p.pid) ?? 0), 0);

/**
 * Interleaves the two levels in rounds (so drift in the machine's load hits both alike) and
 * returns, per scenario and level, p50/p99 ms and gateway CPU ms per request.
 */
async function recordingCost(g, log, rounds) {
  const tokens = Object.fromEntries(
    await Promise.all(LEVELS.map(async (level) => [level, await g.issuer.sign({ sub: `bench-${level}`, agent: `bench-${level}`, groups: [`record-${level}`] }, { expiresIn: 3600 })])),
  );
  const settle = () => new Promise((r) => setTimeout(r, 500));
  const out = [];
  for (const sc of SCENARIOS) {
    const url = new URL(sc.path, g.gatewayUrl);
    const acc = Object.fromEntries(LEVELS.map((l) => [l, { times: [], failed: 0, cpu: 0, requests: 0 }]));
    for (const level of LEVELS) await sequentialGets(url, { token: tokens[level], n: 10 }); // warm-up
    for (let r = 0; r < rounds; r++) {
      for (const level of LEVELS) {
        const before = totalCpu(g.processes);
        const run = await sequentialGets(url, { token: tokens[level], n: Math.ceil(sc.n / rounds) });
        await settle();
        acc[level].cpu += totalCpu(g.processes) - before;
        acc[level].times.push(...run.times);
        acc[level].failed += run.failed;
        acc[level].requests += run.times.length + run.failed;
      }
    }
    const row = { scenario: sc.id, label: sc.label };
    for (const level of LEVELS) {
      const a = acc[level];
      a.times.sort((x, y) => x - y);
      row[level] = { requests: a.requests, failed: a.failed, p50: quantile(a.times, 0.5), p99: quantile(a.times, 0.99), cpuMsPerRequest: +((a.cpu * 1000) / Math.max(1, a.requests)).toFixed(3) };
    }
    log(`  ${sc.label}: ${JSON.stringify(row)}`);
    out.push(row);
  }
  return out;
}

/**
 * `npm run bench`'s recording section. opts: { log, rounds = 3, execMegabytes = 32, execRuns = 3 }.
 * Returns { result, markdown }.
 */
async function benchRecording({ log = () => undefined, rounds = 3, execMegabytes = 32, execRuns = 3 } = {}) {
  log('recording: own gateway with record: none and record: request-and-response rules');
  const g = await startBenchGateway({
    rules: `${LEVELS.map(readRule).join('')}${EXEC_RULES}`,
    env: { CHAPERONE_MASKING_TIMEOUT_MS: '60000' },
    prepare: (api) => {
      api.addObjects('namespaces', '', [{ metadata: { name: BENCH_NAMESPACE } }]);
      api.addObjects('secrets', '', secretList(BENCH_NAMESPACE, 1024 * 1024));
    },
  });
  try {
    const cost = await recordingCost(g, log, rounds);
    log(`recording: exec throughput, ${execMegabytes} MB x ${execRuns} per path`);
    const exec = await execThroughput(g, { megabytes: execMegabytes, runs: execRuns });
    const added = (row, k) => (row['request-and-response'][k] !== null && row.none[k] !== null ? +(row['request-and-response'][k] - row.none[k]).toFixed(3) : null);
    const markdown = [
      'Recording cost: the same masked rule with `record: none` and `record: request-and-response` (one keep-alive client, one request at a time; CPU summed over the gateway processes):',
      '',
      '| request | none p50 / p99 (ms) | request-and-response p50 / p99 | added p50 | none CPU ms/req | request-and-response CPU ms/req | added CPU ms/req |',
      '|---|---|---|---|---|---|---|',
      ...cost.map((r) => `| ${r.label} | ${r.none.p50} / ${r.none.p99} | ${r['request-and-response'].p50} / ${r['request-and-response'].p99} | ${added(r, 'p50')} | ${r.none.cpuMsPerRequest} | ${r['request-and-response'].cpuMsPerRequest} | ${added(r, 'cpuMsPerRequest')} |`),
      '',
      `Exec throughput, recorded (Chaperone) against unrecorded (direct, blind splice). ${exec.markdown}`,
    ].join('\n');
    return { result: { cost, exec: exec.result }, markdown };
  } finally {
    await g.stop();
  }
}

module.exports = { benchRecording };
