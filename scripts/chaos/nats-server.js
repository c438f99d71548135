// The chaos run's own NATS server: `nats-server -js` on a free port of 127.0.0.1 with its store in a
// directory of the run, so it can be killed and restarted (same port, same store) without touching
// the NATS other work on this machine shares.
'use strict';
const { spawn } = require('node:child_process');
const { createWriteStream, mkdirSync } = require('node:fs');
const net = require('node:net');
const path = require('node:path');
const { portAnswers } = require('../stack');

const NATS_BIN = '/usr/sbin/nats-server';

/** A TCP port nothing listens on right now (the kernel picks it). */
function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

/**
 * @param {{ dir: string, logDir: string, track: (name: string, child: import('node:child_process').ChildProcess) => void }} opts
 */
async function startOwnNats({ dir, logDir, track }) {
  const port = await freePort();
  const storeDir = path.join(dir, 'nats');
  mkdirSync(storeDir, { recursive: true });
  const log = createWriteStream(path.join(logDir, 'nats-server.log'), { flags: 'a' });
  let child;

  async function start() {
    child = spawn(NATS_BIN, ['-js', '-a', '127.0.0.1', '-p', String(port), '-sd', storeDir], { stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.pipe(log, { end: false });
    child.stderr.pipe(log, { end: false });
    track('nats-server', child);
    for (let i = 0; i < 100; i++) {
      if (child.exitCode !== null) throw new Error(`nats-server exited with code ${child.exitCode} (log: ${path.join(logDir, 'nats-server.log')})`);
      if (await portAnswers('127.0.0.1', port, 200)) return;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`nats-server did not answer on 127.0.0.1:${port} within 10 s`);
  }

  await start();
  return {
    url: `nats://127.0.0.1:${port}`,
    /** SIGKILL: no shutdown, no flush; resolves once the process is gone. */
    kill() {
      return new Promise((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGKILL');
      });
    },
    /** The same port and store directory, as a restarted pod with its volume. */
    restart: start,
  };
}

module.exports = { startOwnNats, freePort };
