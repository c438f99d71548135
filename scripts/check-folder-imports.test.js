// node --test scripts/check-folder-imports.test.js: the folder-loop check on small trees of its own.
'use strict';
const { test } = require('node:test');
const assert = require('node:assert/strict');
const { mkdtempSync, mkdirSync, writeFileSync, rmSync } = require('node:fs');
const { tmpdir } = require('node:os');
const path = require('node:path');
const { folderGraph, loops } = require('./check-folder-imports');

/** A src/ tree from { 'a/x.ts': "import { y } from '../b/y';" }. */
function tree(files) {
  const src = mkdtempSync(path.join(tmpdir(), 'folder-imports-'));
  for (const [rel, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(src, rel)), { recursive: true });
    writeFileSync(path.join(src, rel), text);
  }
  return src;
}

test('given folders that import each other, through a third, then the loop is named once from its first folder', () => {
  const src = tree({
    'b/y.ts': "import { z } from '../c/z';\n",
    'c/z.ts': "export { x } from '../a/deep/x';\n",
    'a/deep/x.ts': "import { y } from '../../b/y';\n",
  });
  try {
    assert.deepEqual(loops(folderGraph(src)), ['a -> b -> c -> a']);
  } finally {
    rmSync(src, { recursive: true });
  }
});

test('given a hierarchy, root files importing anything, imports inside a folder and a spec importing upwards, then there is no loop', () => {
  const src = tree({
    'main.ts': "import { a } from './a/a';\nimport { b } from './b/b';\n",
    'a/a.ts': "import { b } from '../b/b';\nimport { a2 } from './a2';\n",
    'a/a2.ts': 'export const a2 = 1;\n',
    'b/b.ts': "import { lib } from '@chaperone/contracts';\n",
    'b/b.spec.ts': "import { a } from '../a/a';\n",
  });
  try {
    assert.deepEqual(loops(folderGraph(src)), []);
    assert.deepEqual([...folderGraph(src)].map(([from, to]) => [from, [...to]]), [['a', ['b']]]);
  } finally {
    rmSync(src, { recursive: true });
  }
});
