#!/usr/bin/env node
// Approval service figures: how long the gateway waits for `open` (a new approval stored, and the
// idempotent answer for an identical pending one), an approver's POST /approve (read the stream,
// decide, append at the exact revision) and the gateway's `claim`, against the built approval
// service running as its own process on the real NATS + JetStream event store.
// Also the start-up time of a replica that rebuilds N approvals from the store.
// Usage: node scripts/bench approval [approvals=300]
'use strict';
const { randomUUID } = require('node:crypto');
const { mkdirSync, writeFileSync } = require('node:fs');
const path = require('node:path');
const { performance } = require('node:perf_hooks');
const { firstValueFrom } = require('rxjs');
const { ROOT, startService, stopService } = require('../stack');
const { summarize } = require('./lib/timing');
const { approvalBenchSetup, heldDeleteOpen } = require('./lib/approval-bench');

const N = Number(process.argv[2] || 300);
const ISSUER = 'https://issuer.bench-approval.local';

const stats = (ms) => summarize(ms, 2);

const openMessage = (name) =>
  heldDeleteOpen({
    name,
    namespace: 'bench',
    sessionId: 'bench',
    rule: 'bench',
    approverGroups: ['sre'],
    identity: { subject: 'bench-agent', username: 'bench-agent', groups: ['agents'], agent: 'bench', issuer: ISSUER },
  });

async function main() {
  const { subjects, issuer, env, nc, gateway } = await approvalBenchSetup('bench-approval', ISSUER);
  const token = await issuer.sign({ sub: 'alice', groups: ['sre'] });
  let service = await startService('approval', env);
  try {
    const api = service.urls[0];
    const send = (subject, msg) => firstValueFrom(gateway.send(subject, msg));
    await send(subjects.approvalOpen, openMessage('warm-up'));
    const open = [], again = [], approve = [], claim = [];
    for (let i = 0; i < N; i++) {
      const msg = openMessage(`pod-${i}`);
      let t = performance.now();
      const opened = await send(subjects.approvalOpen, msg);
      open.push(performance.now() - t);
      t = performance.now();
      await send(subjects.approvalOpen, { ...msg, requestId: randomUUID() });
      again.push(performance.now() - t);
      t = performance.now();
      const res = await fetch(`${api}/approvals/${opened.approvalId}/approve`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ reason: 'bench' }),
      });
      await res.text();
      if (res.status !== 200) throw new Error(`approve answered ${res.status}`);
      approve.push(performance.now() - t);
      t = performance.now();
      const claimed = await send(subjects.approvalClaim, { schemaVersion: 1, approvalId: opened.approvalId, requestId: msg.requestId, requestFingerprint: msg.requestFingerprint });
      claim.push(performance.now() - t);
      if (claimed.outcome !== 'run') throw new Error(`claim answered ${JSON.stringify(claimed)}`);
    }
    await stopService(service);
    const t = performance.now();
    service = await startService('approval', env);
    const restartMs = performance.now() - t;
    const results = {
      approvals: N,
      ms: { openNew: stats(open), openIdenticalPending: stats(again), approveHttp: stats(approve), claim: stats(claim) },
      restartWithApprovalsMs: +restartMs.toFixed(0),
      storedEvents: (N + 1) * 1 + N * 2,
    };
    console.log(`approval service, ${N} approvals, sequential, one replica (ms):`);
    console.table(results.ms);
    console.log(`restart (process start + rebuilding ${N + 1} approvals, ${results.storedEvents} events, from the store): ${results.restartWithApprovalsMs} ms`);
    mkdirSync(path.join(ROOT, 'bench-results'), { recursive: true });
    writeFileSync(path.join(ROOT, 'bench-results', 'approval.json'), JSON.stringify(results, null, 2));
  } finally {
    await stopService(service);
    await gateway.close();
    await (await nc.jetstreamManager()).streams.delete(subjects.evidenceStream).catch(() => undefined);
    await nc.drain();
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
