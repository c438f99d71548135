// One `npm start` per state directory: the second one is told the first is running (and where),
// instead of failing on a port half-way through starting.
'use strict';
const { readFileSync, unlinkSync, writeFileSync } = require('node:fs');
const path = require('node:path');

const LOCK_FILE = 'start.lock';

/** True when pid is a live process (not a zombie) that runs scripts/start.js. */
function isStartProcess(pid) {
  try {
    process.kill(pid, 0);
  } catch (e) {
    // EPERM: alive, but someone else's; still a running stack as far as this state dir goes.
    return e.code === 'EPERM';
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    if (stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z')) return false;
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('start.js');
  } catch {
    // No /proc (not Linux): a live PID is taken at its word.
    return true;
  }
}

/** What the lock says about the running stack, or undefined when no stack holds it. */
function lockHolder(dir) {
  let holder;
  try {
    holder = JSON.parse(readFileSync(path.join(dir, LOCK_FILE), 'utf8'));
  } catch {
    return undefined;
  }
  return Number.isInteger(holder.pid) && holder.pid !== process.pid && isStartProcess(holder.pid) ? holder : undefined;
}

/**
 * Take the lock of the state directory dir. Returns { holder } when another start.js holds it, or
 * { update, release } for this process: update(info) records what a second start should be told.
 */
function acquireStartLock(dir) {
  const file = path.join(dir, LOCK_FILE);
  for (let attempt = 0; attempt < 2; attempt++) {
    const mine = { pid: process.pid, startedAt: new Date().toISOString() };
    try {
      writeFileSync(file, JSON.stringify(mine), { flag: 'wx' });
      return {
        update: (info) => writeFileSync(file, JSON.stringify({ ...mine, ...info })),
        release: () => {
          try {
            unlinkSync(file);
          } catch {
            // already gone
          }
        },
      };
    } catch (e) {
      if (e.code !== 'EEXIST') throw e;
    }
    const holder = lockHolder(dir);
    if (holder) return { holder };
    // Left by a stack that was killed outright: take it over.
    unlinkSync(file);
  }
  throw new Error(`could not take ${file}: another start keeps creating it`);
}

module.exports = { acquireStartLock, lockHolder };
