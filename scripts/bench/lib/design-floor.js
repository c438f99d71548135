// The design's floor as a bench target (floor-gateway.js: the gateway and its policy stand-in): started beside the
// gateway on the bench's NATS, with a work-queue stream of the run's prefix (deleted with the
// run's streams), and measured on its own: its processes stay out of the per-process tables.
'use strict';
const path = require('node:path');
const { connect, RetentionPolicy, StorageType, DiscardPolicy } = require('nats');
const { forkHelper, cpuSecondsOf } = require('./processes');

const FLOOR = path.join(__dirname, 'floor-gateway.js');
const NAMES = { gateway: 'floor gateway', policy: 'floor policy stand-in' };

/**
 * @param {{ natsUrl: string, subjects: { prefix: string, eventsStream: string }, certFile: string, keyFile: string, apiUrl: string, token: string }} o
 * @returns {Promise<{ target: { url: string, token: string }, measureCpu: () => { stop: () => Record<string, number> }, stop: () => Promise<void> }>}
 */
async function startDesignFloor({ natsUrl, subjects, certFile, keyFile, apiUrl, token }) {
  const stream = subjects.eventsStream.replace(/_EVENTS$/, '_FLOOR');
  const records = `${subjects.prefix}.floor`;
  const nc = await connect({ servers: natsUrl });
  const jsm = await nc.jetstreamManager();
  await jsm.streams.add({ name: stream, subjects: [`${records}.>`], retention: RetentionPolicy.Workqueue, storage: StorageType.File, discard: DiscardPolicy.New, duplicate_window: 120e9, num_replicas: 1 });
  const policySubject = `${subjects.prefix}.floor-policy.evaluate`;
  const unmeasured = { measured: false };
  const policy = await forkHelper(NAMES.policy, FLOOR, ['policy', natsUrl, policySubject, `${records}.decided`], {}, unmeasured);
  const gateway = await forkHelper(NAMES.gateway, FLOOR, ['gateway', certFile, keyFile, apiUrl, certFile, token, natsUrl, policySubject, `${records}.completed`], {}, unmeasured);
  const children = [gateway.child, policy.child];
  return {
    target: { url: gateway.url, token },
    /** CPU seconds of the floor's own two processes between start and stop(). */
    measureCpu() {
      const before = children.map((c) => cpuSecondsOf(c.pid) ?? 0);
      return {
        stop: () => Object.fromEntries(children.map((c, i) => [i === 0 ? NAMES.gateway : NAMES.policy, +((cpuSecondsOf(c.pid) ?? 0) - before[i]).toFixed(2)])),
      };
    },
    async stop() {
      await Promise.all(children.map((c) => (c.exitCode !== null || c.signalCode !== null ? undefined : new Promise((resolve) => {
        c.once('exit', resolve);
        c.kill('SIGTERM');
      }))));
      await jsm.streams.delete(stream).catch(() => false);
      await nc.close();
    },
  };
}

module.exports = { startDesignFloor, FLOOR_PROCESSES: Object.values(NAMES) };
