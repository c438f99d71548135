// Reading DAMON's sysfs tree: a fake tree in a temporary directory, laid out as the kernel's.
'use strict';
const { test } = require('node:test');
const assert = require('node:assert/strict');
const { mkdirSync, mkdtempSync, rmSync, writeFileSync } = require('node:fs');
const { tmpdir } = require('node:os');
const path = require('node:path');
const { kernelMemoryMonitors, monitorsLine } = require('./kernel-memory-monitor');

function fakeTree(kdamonds) {
  const root = mkdtempSync(path.join(tmpdir(), 'damon-'));
  kdamonds.forEach((k, i) => {
    const dir = path.join(root, String(i));
    mkdirSync(path.join(dir, 'contexts'), { recursive: true });
    writeFileSync(path.join(dir, 'state'), `${k.state}\n`);
    k.contexts.forEach((c, j) => {
      const ctx = path.join(dir, 'contexts', String(j));
      mkdirSync(path.join(ctx, 'monitoring_attrs', 'intervals', 'intervals_goal'), { recursive: true });
      writeFileSync(path.join(ctx, 'operations'), `${c.operations}\n`);
      writeFileSync(path.join(ctx, 'monitoring_attrs', 'intervals', 'sample_us'), `${c.sampleUs}\n`);
      writeFileSync(path.join(ctx, 'monitoring_attrs', 'intervals', 'aggr_us'), `${c.aggrUs}\n`);
      mkdirSync(path.join(ctx, 'schemes'));
      c.actions.forEach((a, n) => {
        mkdirSync(path.join(ctx, 'schemes', String(n)));
        writeFileSync(path.join(ctx, 'schemes', String(n), 'action'), `${a}\n`);
      });
    });
  });
  return root;
}

test('a running monitor is read with its operations, intervals and actions; a stopped one is left out', () => {
  const root = fakeTree([
    { state: 'on', contexts: [{ operations: 'paddr', sampleUs: 500000, aggrUs: 5000000, actions: ['pageout'] }] },
    { state: 'off', contexts: [{ operations: 'vaddr', sampleUs: 5000, aggrUs: 100000, actions: ['stat'] }] },
  ]);
  try {
    const monitors = kernelMemoryMonitors(root);
    assert.deepEqual(monitors, [{ operations: 'paddr', samplingMs: 500, aggregationMs: 5000, actions: ['pageout'] }]);
    assert.equal(monitorsLine(monitors), "the kernel's DAMON memory monitor ran (paddr: sampling every 500 ms, pageout every 5000 ms)");
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test('no DAMON (no tree, or none running) is no monitor and no words', () => {
  assert.deepEqual(kernelMemoryMonitors(path.join(tmpdir(), 'no-such-damon-tree')), []);
  const root = fakeTree([{ state: 'off', contexts: [] }]);
  try {
    assert.deepEqual(kernelMemoryMonitors(root), []);
    assert.equal(monitorsLine([]), '');
    assert.equal(monitorsLine(undefined), '');
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});
