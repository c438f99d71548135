// The bench's own NATS server. The NATS on 4222 may be shared with other runs, whose traffic
// would pollute the server's message counters; a server of its own, on free ports with its store
// in the run's directory, counts only the bench's traffic and its CPU is the gateway's alone.
'use strict';
const { spawn } = require('node:child_process');
const { existsSync, mkdirSync } = require('node:fs');
const net = require('node:net');
const { natsEnv, portAnswers, which } = require('../../stack');

const HOST = '127.0.0.1';

/** Ports the kernel hands out as free, all held open together so they differ from each other. */
async function freePorts(n) {
  const servers = await Promise.all(
    Array.from({ length: n }, () => new Promise((resolve, reject) => {
      const s = net.createServer();
      s.once('error', reject);
      s.listen(0, HOST, () => resolve(s));
    })),
  );
  const ports = servers.map((s) => s.address().port);
  await Promise.all(servers.map((s) => new Promise((resolve) => s.close(resolve))));
  return ports;
}

/**
 * Starts `nats-server -js` on free client and monitoring ports with its store under storeDir, with
 * the scheduler threads `npm start` gives its NATS (natsGomaxprocs).
 * Resolves once both ports answer; the caller tracks `child` so it ends with the bench. `ports`
 * restarts a server on the ports it had (the chaos run kills NATS and brings it back).
 */
async function startOwnNats(storeDir, log = () => {}, ports = undefined) {
  const bin = which('nats-server') ?? (existsSync('/usr/sbin/nats-server') ? '/usr/sbin/nats-server' : undefined);
  if (!bin) {
    throw new Error('nats-server is not installed (Debian/Ubuntu: apt-get install nats-server); or set CHAPERONE_NATS_URL to use a running NATS with JetStream');
  }
  const [port, monitorPort] = ports ? [ports.port, ports.monitorPort] : await freePorts(2);
  mkdirSync(storeDir, { recursive: true });
  log(`starting ${bin} -js on ${HOST}:${port}, monitoring on ${HOST}:${monitorPort} (store ${storeDir})`);
  const child = spawn(bin, ['-js', '-a', HOST, '-p', String(port), '-m', String(monitorPort), '-sd', storeDir], { stdio: 'ignore', env: natsEnv() });
  const exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve(`exited (${signal ?? code})`)));
  for (let i = 0; i < 100; i++) {
    if ((await portAnswers(HOST, port, 200)) && (await portAnswers(HOST, monitorPort, 200))) {
      return { url: `nats://${HOST}:${port}`, monitorUrl: `http://${HOST}:${monitorPort}`, port, monitorPort, child };
    }
    const gone = await Promise.race([exited, new Promise((r) => setTimeout(() => r(undefined), 100))]);
    if (gone) throw new Error(`nats-server ${gone} before it answered on ${HOST}:${port}`);
  }
  child.kill('SIGKILL');
  throw new Error(`nats-server did not answer on ${HOST}:${port} within 10 s`);
}

module.exports = { startOwnNats, freePorts };
