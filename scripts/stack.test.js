// How the launcher starts each service: the evidence's followers under `nice` (the process and its session), the request path as it is.
'use strict';
const { test } = require('node:test');
const assert = require('node:assert/strict');
const { spawn } = require('node:child_process');
const { existsSync, readFileSync } = require('node:fs');
const { serviceCommand, niceSession } = require('./stack');

const main = (name) => new RegExp(`services/${name}/dist/main\\.js$`);

test('the followers start at niceness 10 by default; the request path and the doors as they are', () => {
  for (const name of ['audit', 'reports', 'exporter']) {
    const [command, args] = serviceCommand(name, {});
    assert.match(command, /nice$/);
    assert.deepEqual(args.slice(0, 3), ['-n', '10', process.execPath]);
    assert.match(args.at(-1), main(name));
  }
  for (const name of ['ingress', 'policy', 'masking', 'approval', 'mcp', 'console']) {
    const [command, args] = serviceCommand(name, {});
    assert.equal(command, process.execPath);
    assert.match(args.at(-1), main(name));
  }
});

test('CHAPERONE_FOLLOWER_NICE sets the niceness; 0 starts the followers like the rest', () => {
  assert.deepEqual(serviceCommand('audit', { CHAPERONE_FOLLOWER_NICE: '5' })[1].slice(0, 2), ['-n', '5']);
  assert.equal(serviceCommand('reports', { CHAPERONE_FOLLOWER_NICE: '0' })[0], process.execPath);
});

test('a niceness that is not a whole number from 0 to 19 is refused with what was given', () => {
  for (const bad of ['-5', '20', 'high', '1.5']) {
    assert.throws(() => serviceCommand('audit', { CHAPERONE_FOLLOWER_NICE: bad }), new RegExp(`CHAPERONE_FOLLOWER_NICE must be a whole number from 0 to 19, not "${bad.replace('.', '\\.')}"`));
  }
});

test('a follower\'s session gets its niceness too, where the kernel groups the cores by session', { skip: !existsSync('/proc/self/autogroup') && 'no autogroup here' }, async () => {
  // A process in a session of its own, as the launcher starts each service (detached).
  const child = spawn('sleep', ['30'], { detached: true, stdio: 'ignore' });
  try {
    assert.match(readFileSync(`/proc/${child.pid}/autogroup`, 'utf8'), /nice 0$/m);
    assert.equal(await niceSession(child.pid, 7), true);
    assert.match(readFileSync(`/proc/${child.pid}/autogroup`, 'utf8'), /nice 7$/m);
  } finally {
    child.kill('SIGKILL');
  }
  assert.equal(await niceSession(2 ** 22 + 1, 7), false, 'no such process: false, nothing thrown');
});
