#!/usr/bin/env node
// `npm run reset`: forget what `npm start` recorded, so the next start begins with an empty store.
// Deletes the JetStream streams of the local bus prefix (events, evidence, the reports snapshot and
// evidence-body buckets) on CHAPERONE_NATS_URL; with no NATS answering, deletes the store of the
// nats-server `npm start` runs itself. Other prefixes on a shared NATS are left alone. Keys,
// certificates and tokens in the state directory stay (they are remade or reused on start).
'use strict';
const { existsSync, rmSync } = require('node:fs');
const path = require('node:path');
const { portAnswers } = require('./stack');
const { lockHolder } = require('./process/start-lock');
const { stateDir, busPrefix } = require('./process/local-settings');
const { streamsOfPrefix } = require('./process/prefix-streams');

const say = (msg) => process.stdout.write(`[chaperone] ${msg}\n`);

async function main() {
  const state = stateDir();
  const running = lockHolder(state);
  if (running) {
    say(`Chaperone is running (pid ${running.pid}); stop it first, then reset.`);
    return 1;
  }
  const natsUrl = process.env.CHAPERONE_NATS_URL || 'nats://127.0.0.1:4222';
  const prefix = busPrefix();
  const u = new URL(natsUrl);
  if (!(await portAnswers(u.hostname, Number(u.port || 4222)))) {
    const store = path.join(state, 'nats');
    if (!existsSync(store)) {
      say(`nothing answers at ${natsUrl} and there is no local NATS store (${path.relative(process.cwd(), store)}): nothing to reset.`);
      return 0;
    }
    rmSync(store, { recursive: true, force: true });
    say(`deleted the local NATS store ${path.relative(process.cwd(), store)} (nothing answers at ${natsUrl}).`);
    return 0;
  }
  const { connect } = require('nats');
  const nc = await connect({ servers: natsUrl, name: `chaperone-reset-${prefix}` });
  try {
    const jsm = await nc.jetstreamManager();
    const extraBuckets = process.env.CHAPERONE_BLOB_BUCKET ? [process.env.CHAPERONE_BLOB_BUCKET] : [];
    const all = [];
    for await (const info of jsm.streams.list()) all.push(info);
    const doomed = streamsOfPrefix(prefix, all, extraBuckets);
    for (const info of doomed) {
      await jsm.streams.delete(info.config.name);
      say(`deleted stream ${info.config.name} (${info.state.messages} messages)`);
    }
    say(`${doomed.length === 0 ? 'nothing to delete' : 'done'}: no stream of bus prefix "${prefix}" is left on ${natsUrl}.`);
  } finally {
    await nc.close();
  }
  return 0;
}

main().then(
  (code) => process.exit(code),
  (e) => {
    process.stderr.write(`[chaperone] reset failed: ${e.message}\n`);
    process.exit(1);
  },
);
