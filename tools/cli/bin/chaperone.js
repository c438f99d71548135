#!/usr/bin/env node
// Committed shim, so `npm ci` links `chaperone` before anything is built; the CLI itself is compiled TypeScript.
'use strict';
const path = require('node:path');
const main = path.join(__dirname, '..', 'dist', 'main.js');
try {
  require.resolve(main);
} catch {
  process.stderr.write('chaperone: the CLI is not built yet; run `npm run build` first\n');
  process.exit(2);
}
require(main);
