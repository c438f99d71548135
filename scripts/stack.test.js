// How the launcher starts each service: the evidence's followers under `nice`, the request path as it is.
'use strict';
const { test } = require('node:test');
const assert = require('node:assert/strict');
const { serviceCommand } = require('./stack');

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
