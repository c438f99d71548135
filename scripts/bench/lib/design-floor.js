// The design's floor as a bench target (floor-gateway.js: the gateway and its policy stand-in):
// started beside the gateway on the bench's NATS, with a stream configured as the events stream and
// named with the run's prefix (deleted with the run's streams), and measured on its own: its
// processes stay out of the per-process tables.
'use strict';
const path = require('node:path');
const { connect } = require('nats');
const { eventsStreamConfig } = require('@chaperone/bus');
const { forkHelper, measureCpu, stopChildren } = require('./processes');

const FLOOR = path.join(__dirname, 'floor-gateway.js');
const NAMES = { gateway: 'floor gateway', policy: 'floor policy stand-in' };

/** CPU milliseconds per request of the floor's processes and NATS, from a run's per-process figures. */
function floorCpuMs(perRequest) {
  return [NAMES.gateway, NAMES.policy, 'nats-server'].reduce((sum, name) => sum + (perRequest?.[name] ?? 0), 0);
}

/**
 * @param {{ natsUrl: string, subjects: import('@chaperone/contracts').BusSubjects, certFile: string, keyFile: string, apiUrl: string, token: string }} o
 * @returns {Promise<{ target: { url: string, token: string }, measureCpu: () => { stop: () => Record<string, number> }, stop: () => Promise<void> }>}
 */
async function startDesignFloor({ natsUrl, subjects, certFile, keyFile, apiUrl, token }) {
  const stream = subjects.eventsStream.replace(/_EVENTS$/, '_FLOOR');
  const records = `${subjects.prefix}.floor`;
  const nc = await connect({ servers: natsUrl });
  const jsm = await nc.jetstreamManager();
  // The events stream's storage, retention and duplicate window, on subjects of the floor's own.
  await jsm.streams.add({ ...eventsStreamConfig(subjects, { maxBytes: -1, maxMsgs: -1 }), name: stream, subjects: [`${records}.>`] });
  const policySubject = `${subjects.prefix}.floor-policy.evaluate`;
  const unmeasured = { measured: false };
  const policy = await forkHelper(NAMES.policy, FLOOR, ['policy', natsUrl, policySubject, `${records}.decided`], {}, unmeasured);
  const gateway = await forkHelper(NAMES.gateway, FLOOR, ['gateway', certFile, keyFile, apiUrl, certFile, token, natsUrl, policySubject, `${records}.completed`], {}, unmeasured);
  const processes = [
    { name: NAMES.gateway, pid: gateway.child.pid },
    { name: NAMES.policy, pid: policy.child.pid },
  ];
  return {
    target: { url: gateway.url, token },
    /** CPU seconds of the floor's own two processes between start and stop(). */
    measureCpu: () => measureCpu(() => processes),
    async stop() {
      await stopChildren([gateway.child, policy.child]);
      await jsm.streams.delete(stream).catch(() => false);
      await nc.close();
    },
  };
}

module.exports = { startDesignFloor, floorCpuMs };
