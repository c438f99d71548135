#!/usr/bin/env node
// Approval service figures: how long the gateway waits for `open` (a new approval stored, and the
// idempotent answer for an identical pending one), an approver's POST /approve (read the stream,
// decide, append at the exact revision) and the gateway's `claim`, against the built approval
// service running as its own process on the real NATS + JetStream event store.
// Also the start-up time of a replica that rebuilds N approvals from the store.
// Usage: node scripts/bench-approval.js [approvals=300]
'use strict';
const { randomUUID } = require('node:crypto');
const { mkdirSync, mkdtempSync, writeFileSync } = require('node:fs');
const { tmpdir } = require('node:os');
const path = require('node:path');
const { performance } = require('node:perf_hooks');
const { connect } = require('nats');
const { ClientProxyFactory, Transport } = require('@nestjs/microservices');
const { firstValueFrom } = require('rxjs');
const { createLocalIssuer } = require('@chaperone/auth');
const { busSubjects, requestFingerprint } = require('@chaperone/contracts');
const { ROOT, startService, stopService } = require('./stack');

const N = Number(process.argv[2] || 300);
const ISSUER = 'https://issuer.bench-approval.local';

function stats(ms) {
  const s = [...ms].sort((a, b) => a - b);
  const q = (p) => s[Math.min(s.length - 1, Math.floor(p * s.length))];
  return { n: s.length, p50: +q(0.5).toFixed(2), p95: +q(0.95).toFixed(2), p99: +q(0.99).toFixed(2), max: +s[s.length - 1].toFixed(2) };
}

function openMessage(name) {
  const p = `/api/v1/namespaces/bench/pods/${name}`;
  const identity = { subject: 'bench-agent', username: 'bench-agent', groups: ['agents'], agent: 'bench', issuer: ISSUER };
  return {
    schemaVersion: 1,
    requestId: randomUUID(),
    sessionId: 'bench',
    traceId: '0'.repeat(32),
    interceptEventId: randomUUID(),
    decisionEventId: randomUUID(),
    identity,
    request: { isResourceRequest: true, path: p, verb: 'delete', apiPrefix: 'api', apiGroup: '', apiVersion: 'v1', namespace: 'bench', resource: 'pods', subresource: '', name, parts: ['pods', name] },
    method: 'DELETE',
    path: p,
    query: '',
    requestFingerprint: requestFingerprint({ subject: identity.subject, verb: 'delete', path: p, query: '', bodyDigest: '' }),
    reason: 'bench',
    rule: 'bench',
    spec: { mode: 'ticket', modeHeaderAllowed: false, timeoutSeconds: 3600, approverGroups: ['sre'], requiredApprovals: 1, requireReason: false, grantTtlSeconds: 3600 },
  };
}

async function main() {
  const natsUrl = process.env.CHAPERONE_NATS_URL || process.env.NATS_URL || 'nats://127.0.0.1:4222';
  const subjects = busSubjects(`bench-approval-${randomUUID().slice(0, 6)}`);
  const dir = mkdtempSync(path.join(tmpdir(), 'bench-approval-'));
  const issuer = await createLocalIssuer({ issuer: ISSUER, audience: 'chaperone', alg: 'ES256' });
  issuer.writeJwksFile(path.join(dir, 'jwks.json'));
  const token = await issuer.sign({ sub: 'alice', groups: ['sre'] });
  const env = {
    CHAPERONE_NATS_URL: natsUrl,
    CHAPERONE_BUS_PREFIX: subjects.prefix,
    CHAPERONE_HEALTH_PORT: '0',
    CHAPERONE_OIDC_ISSUER: ISSUER,
    CHAPERONE_OIDC_JWKS_FILE: path.join(dir, 'jwks.json'),
    CHAPERONE_OIDC_ALGORITHMS: 'ES256',
  };
  const nc = await connect({ servers: natsUrl, name: 'bench-approval' });
  const gateway = ClientProxyFactory.create({ transport: Transport.NATS, options: { servers: [natsUrl] } });
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
