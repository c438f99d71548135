#!/usr/bin/env node
import { commands } from './commands';
import { run } from './run';

run(
  process.argv.slice(2),
  { out: (t) => process.stdout.write(t), err: (t) => process.stderr.write(t), env: process.env, streams: { input: process.stdin, output: process.stdout } },
  commands,
).then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    process.stderr.write(`chaperone: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exitCode = 1;
  },
);
