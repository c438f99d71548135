// The chaos run's own NATS server (scripts/bench/lib/nats-server.js: free ports of 127.0.0.1, its store
// in the run's directory), with what a fault needs: SIGKILL it, and start it again on the same
// ports and store, as a restarted pod keeps its address and volume.
'use strict';
const { startOwnNats: startServer } = require('../bench/lib/nats-server');

/** @param {{ storeDir: string, track: (name: string, child: import('node:child_process').ChildProcess) => void, log?: (s: string) => void }} opts */
async function startOwnNats({ storeDir, track, log = () => {} }) {
  let server = await startServer(storeDir, log);
  track('nats-server', server.child);
  return {
    url: server.url,
    /** SIGKILL: no shutdown, no flush; resolves once the process is gone. */
    kill() {
      const child = server.child;
      return new Promise((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGKILL');
      });
    },
    async restart() {
      server = await startServer(storeDir, log, { port: server.port, monitorPort: server.monitorPort });
      track('nats-server', server.child);
    },
  };
}

module.exports = { startOwnNats };
