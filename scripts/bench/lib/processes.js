// Every process the benchmark starts, so that all of them end with it (normal end, error or Ctrl-C),
// and their memory, read from /proc: VmRSS now, VmHWM the peak since the process started.
'use strict';
const { fork } = require('node:child_process');
const { readFileSync } = require('node:fs');

const started = [];

/**
 * Remember a child process; it is ended by stopAll() or, at the latest, when this process exits.
 * An unmeasured one (a reference the bench measures on its own) stays out of the per-process tables.
 */
function track(name, child, { measured = true } = {}) {
  started.push({ name, child, measured });
  return child;
}

/** Fork a bench helper script with IPC; resolves with its first message (which carries its url). */
function forkHelper(name, script, args, env = {}, { measured = true } = {}) {
  const child = track(name, fork(script, args, { env: { ...process.env, ...env }, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] }), { measured });
  return new Promise((resolve, reject) => {
    child.once('message', (msg) => resolve({ name, child, url: msg.url }));
    child.once('exit', (code) => reject(new Error(`${name} exited with code ${code} before it was ready`)));
  });
}

const alive = (child) => child.exitCode === null && child.signalCode === null;

/** SIGTERM every tracked process (newest first) but those named in keep; SIGKILL what is still there after 5 s. */
async function stopAll({ keep = [] } = {}) {
  await stopChildren([...started].reverse().filter(({ name }) => !keep.includes(name)).map(({ child }) => child));
}

/** SIGTERM these child processes (those still running) and wait for them; SIGKILL what is still there after 5 s. */
async function stopChildren(children) {
  const stopping = children.filter(alive);
  const waiting = [];
  for (const child of stopping) {
    waiting.push(new Promise((resolve) => child.once('exit', resolve)));
    child.kill('SIGTERM');
  }
  const timer = setTimeout(() => stopping.forEach((child) => alive(child) && child.kill('SIGKILL')), 5000);
  await Promise.all(waiting);
  clearTimeout(timer);
}

// Last resort: whatever way this process ends, none of its children outlive it.
process.on('exit', () => started.forEach(({ child }) => alive(child) && child.kill('SIGKILL')));

/** { rssKb, hwmKb } of a pid, or undefined once it is gone. */
function memoryOf(pid) {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (field) => Number((new RegExp(`^${field}:\\s+(\\d+)`, 'm').exec(status) || [])[1] || 0);
    return { rssKb: kb('VmRSS'), hwmKb: kb('VmHWM') };
  } catch {
    return undefined;
  }
}

/** CPU seconds (user + system) a pid has used so far, or undefined once it is gone. */
function cpuSecondsOf(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100; // utime, stime in clock ticks (USER_HZ = 100)
  } catch {
    return undefined;
  }
}

/**
 * CPU used by every measured process (or by those `processes()` names) between start and stop(),
 * in seconds, by name.
 */
function measureCpu(processes = measuredProcesses) {
  const before = Object.fromEntries(processes().map((p) => [p.name, cpuSecondsOf(p.pid)]));
  return {
    stop() {
      const used = {};
      for (const p of processes()) {
        const now = cpuSecondsOf(p.pid);
        if (now !== undefined && before[p.name] !== undefined) used[p.name] = +(now - before[p.name]).toFixed(2);
      }
      return used;
    },
  };
}

/** A NATS server this process did not start (a shared one): measured, never stopped. */
let externalNats;
function watchExternalNats() {
  const { readdirSync } = require('node:fs');
  for (const pid of readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
    try {
      if (readFileSync(`/proc/${pid}/comm`, 'utf8').trim() === 'nats-server') return (externalNats = { name: 'nats-server (shared)', pid: Number(pid) });
    } catch {
      // gone meanwhile
    }
  }
  return undefined;
}

/** The processes to watch: this one (the load generator), every tracked child, and a shared NATS server. */
function measuredProcesses() {
  const children = started.filter(({ child, measured }) => measured && alive(child)).map(({ name, child }) => ({ name, pid: child.pid }));
  return [{ name: 'bench (autocannon)', pid: process.pid }, ...children, ...(externalNats ? [externalNats] : [])];
}

/**
 * Samples VmRSS of every measured process every intervalMs; stop() returns the peak RSS per
 * process in MB over the sampling window (VmHWM would only give the peak since start).
 */
function sampleMemory(intervalMs = 250) {
  const peak = {};
  const take = () => {
    for (const p of measuredProcesses()) {
      const m = memoryOf(p.pid);
      if (m) peak[p.name] = Math.max(peak[p.name] || 0, m.rssKb);
    }
  };
  take();
  const timer = setInterval(take, intervalMs);
  return {
    stop() {
      clearInterval(timer);
      take();
      return Object.fromEntries(Object.entries(peak).map(([k, v]) => [k, +(v / 1024).toFixed(1)]));
    },
  };
}

/** Processes that are not Chaperone's: the load, the API server and the bare proxy (NATS counts as Chaperone's). */
const NOT_CHAPERONE = new Set(['bench (autocannon)', 'test API server', 'bare proxy']);

/** CPU ms per request summed over every Chaperone process and NATS, from a run's per-process figures. */
function chaperoneCpuMs(perRequest) {
  return Object.entries(perRequest ?? {}).reduce((sum, [name, ms]) => sum + (NOT_CHAPERONE.has(name) ? 0 : (ms ?? 0)), 0);
}

module.exports = { watchExternalNats, track, forkHelper, stopAll, stopChildren, memoryOf, measuredProcesses, sampleMemory, measureCpu, chaperoneCpuMs };
