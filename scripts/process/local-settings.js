// What `npm start` and `npm run reset` agree on: where the local state lives and which bus prefix
// the local stack's subjects, streams and buckets carry.
'use strict';
const path = require('node:path');

const ROOT = path.resolve(__dirname, '..', '..');

/** CHAPERONE_STATE_DIR (tokens, keys, certificates, the lock, a local NATS store); default .chaperone/. */
function stateDir(env = process.env) {
  return env.CHAPERONE_STATE_DIR ? path.resolve(env.CHAPERONE_STATE_DIR) : path.join(ROOT, '.chaperone');
}

/** The services read CHAPERONE_BUS_PREFIX themselves; this only names it in messages and resets. */
function busPrefix(env = process.env) {
  return env.CHAPERONE_BUS_PREFIX || require('@chaperone/contracts').DEFAULT_BUS_PREFIX;
}

module.exports = { stateDir, busPrefix };
