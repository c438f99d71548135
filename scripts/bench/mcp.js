#!/usr/bin/env node
// An MCP tool call against the request it makes; the measurement is lib/mcp.js (also a section of
// the overhead run). Prints a table. Usage: node scripts/bench mcp
'use strict';
const { benchMcp } = require('./lib/mcp');

benchMcp({ log: (l) => console.log(`[bench] ${l}`) })
  .then(({ markdown }) => console.log(`\n${markdown}`))
  .catch((e) => {
    console.error(e);
    process.exit(1);
  });
