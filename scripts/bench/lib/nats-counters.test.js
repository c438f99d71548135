// The bench's bus counters against a NATS server of the test's own: what each service published
// and was delivered, from the server's /connz, and the totals from /varz.
'use strict';
const { test } = require('node:test');
const assert = require('node:assert/strict');
const { mkdtempSync, rmSync } = require('node:fs');
const { tmpdir } = require('node:os');
const path = require('node:path');
const { connect } = require('nats');
const { startOwnNats } = require('./nats-server');
const { openNatsCounters, serviceNamer } = require('./nats-counters');

test('names a connection of the run by its service, and no other client', () => {
  const serviceOf = serviceNamer('bench-1a2b3c4d');
  assert.equal(serviceOf('bench-1a2b3c4d-audit-vm-8618-3f810f'), 'audit');
  assert.equal(serviceOf('bench-1a2b3c4d-reports-host-name-1-ab'), 'reports');
  assert.equal(serviceOf('bench-9z9z9z9z-audit-vm-1-ab'), undefined);
  assert.equal(serviceOf('chaperone-bench-counters'), undefined);
  assert.equal(serviceOf(undefined), undefined);
});

test('counts the bytes each service published and was delivered in the window, per request', async (t) => {
  const dir = mkdtempSync(path.join(tmpdir(), 'nats-counters-'));
  const nats = await startOwnNats(path.join(dir, 'nats'));
  // What the counters read of the bus subjects (the built contracts are not needed: npm test runs
  // these before the build).
  const subjects = { prefix: 'countertest', eventsStream: 'COUNTERTEST_EVENTS' };
  const clients = [];
  t.after(async () => {
    await Promise.all(clients.map((c) => c.close().catch(() => {})));
    nats.child.kill('SIGTERM');
    rmSync(dir, { recursive: true, force: true });
  });
  const named = async (name) => {
    const nc = await connect({ servers: nats.url, name });
    clients.push(nc);
    return nc;
  };
  const audit = await named(`${subjects.prefix}-audit-host-1-aa`);
  const reports = await named(`${subjects.prefix}-reports-host-2-bb`);
  const stranger = await named('someone-else');
  let delivered = 0;
  const allDelivered = new Promise((resolve) => {
    // The window's messages are the 1 KiB ones.
    reports.subscribe('evidence.test', { callback: (_err, m) => m.data.length === 1024 && ++delivered === 19 && resolve() });
  });
  await reports.flush();
  const counters = await openNatsCounters({ natsUrl: nats.url, monitorUrl: nats.monitorUrl, subjects, log: () => {} });
  clients.push({ close: () => counters.close() });
  // Before the window: not counted.
  audit.publish('evidence.test', Buffer.alloc(4096));
  await audit.flush();
  const window = await counters.start();
  for (let i = 0; i < 19; i++) audit.publish('evidence.test', Buffer.alloc(1024));
  stranger.publish('elsewhere', Buffer.alloc(50_000));
  await Promise.all([audit.flush(), stranger.flush()]);
  await allDelivered;
  const n = await window.stop(19);
  // 19 messages of 1 KiB over 19 requests: 1 KB published per request by audit, 1 delivered to reports.
  assert.deepEqual(n.byService.audit, { kbIn: 1, kbOut: 0 });
  assert.deepEqual(n.byService.reports, { kbIn: 0, kbOut: 1 });
  assert.equal(Object.keys(n.byService).length, 2);
  // /varz counts every client: the stranger's 50,000 bytes are in the totals.
  assert.ok(n.kbIn >= (19 * 1024 + 50_000) / 1024 / 19, `kbIn ${n.kbIn}`);
  assert.ok(n.msgsIn >= 1, `msgsIn ${n.msgsIn}`);
});
