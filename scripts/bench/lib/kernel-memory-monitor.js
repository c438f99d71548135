// Whether the kernel's DAMON memory monitor runs on this machine, and what it does. Some virtual
// machine platforms run it to give memory back to their host: every sampling interval (half a
// second here) its kernel thread (kdamond) walks the guest's memory for tens of milliseconds, and
// every process on the machine slows down meanwhile, so a paced run's slow requests gather at
// those moments, the design floor's as much as Chaperone's. The bench reads it to say so beside
// the figures; it never changes it (it is the platform's, not the bench's).
'use strict';
const { readdirSync, readFileSync } = require('node:fs');
const path = require('node:path');

const KDAMONDS = '/sys/kernel/mm/damon/admin/kdamonds';

const read = (p) => {
  try {
    return readFileSync(p, 'utf8').trim();
  } catch {
    return undefined;
  }
};
const entries = (p) => {
  try {
    return readdirSync(p).filter((n) => /^\d+$/.test(n));
  } catch {
    return [];
  }
};

/**
 * The running monitors: each context's operations (vaddr, paddr), sampling and aggregation
 * intervals in ms and scheme actions (pageout, ...); an empty list when DAMON is off or absent.
 * @returns {{ operations: string, samplingMs: number | null, aggregationMs: number | null, actions: string[] }[]}
 */
function kernelMemoryMonitors(root = KDAMONDS) {
  const out = [];
  for (const k of entries(root)) {
    const kdamond = path.join(root, k);
    if (read(path.join(kdamond, 'state')) !== 'on') continue;
    for (const c of entries(path.join(kdamond, 'contexts'))) {
      const ctx = path.join(kdamond, 'contexts', c);
      const ms = (name) => {
        const us = Number(read(path.join(ctx, 'monitoring_attrs', 'intervals', name)));
        return Number.isFinite(us) && us > 0 ? us / 1000 : null;
      };
      const actions = entries(path.join(ctx, 'schemes')).map((s) => read(path.join(ctx, 'schemes', s, 'action'))).filter(Boolean);
      out.push({ operations: read(path.join(ctx, 'operations')) ?? '?', samplingMs: ms('sample_us'), aggregationMs: ms('aggr_us'), actions });
    }
  }
  return out;
}

/** "the kernel's DAMON memory monitor ran (paddr: sampling every 500 ms, pageout every 5000 ms)" for the figures' first line; '' without one. */
function monitorsLine(monitors) {
  if (!monitors || monitors.length === 0) return '';
  const each = monitors.map((m) => {
    const parts = [m.samplingMs && `sampling every ${m.samplingMs} ms`, m.actions.length > 0 && `${m.actions.join(' and ')}${m.aggregationMs ? ` every ${m.aggregationMs} ms` : ''}`].filter(Boolean);
    return `${m.operations}${parts.length ? `: ${parts.join(', ')}` : ''}`;
  });
  return `the kernel's DAMON memory monitor ran (${each.join('; ')})`;
}

module.exports = { kernelMemoryMonitors, monitorsLine };
