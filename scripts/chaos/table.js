// The chaos run's result as a markdown table, one row per fault, and the violations under it.
'use strict';

const COLUMNS = [
  ['fault', (r) => r.fault],
  ['requests', (r) => r.requests],
  ['2xx', (r) => r.ok],
  ['4xx', (r) => r.rejected],
  ['refused 5xx', (r) => r.refused],
  ['no answer', (r) => r.noAnswer],
  ['lost', (r) => r.lost],
  ['unfinished', (r) => r.unfinished],
  ['duplicated', (r) => r.duplicated],
  ['forwarded without decision', (r) => r.forwardedWithoutDecision],
  ['chain', (r) => (r.chainProblems === 0 ? 'ok' : `${r.chainProblems} problem(s)`)],
  ['max latency (s)', (r) => r.maxLatencyS.toFixed(2)],
  ['hung > 5 s', (r) => r.hung],
  ['recovery (s)', (r) => (r.recoveryS === null ? '-' : r.recoveryS === undefined ? 'none' : r.recoveryS.toFixed(2))],
  ['store lag (s)', (r) => (r.storeLagS === null ? '-' : r.storeLagS.toFixed(1))],
  ['store resumed (s)', (r) => (r.storeResumedS === null ? '-' : r.storeResumedS.toFixed(1))],
];

function markdownTable(rows) {
  const lines = [`| ${COLUMNS.map(([h]) => h).join(' | ')} |`, `|${COLUMNS.map(() => '---').join('|')}|`];
  for (const r of rows) lines.push(`| ${COLUMNS.map(([, f]) => f(r)).join(' | ')} |`);
  return lines.join('\n');
}

/** @param {{ row: any, violations: any[], errors: Record<string, number>, statuses: Record<string, number> }[]} results */
function report(results) {
  const lines = [markdownTable(results.map((r) => r.row)), ''];
  for (const r of results) {
    const extra = [];
    if (Object.keys(r.errors).length > 0) extra.push(`no answer: ${Object.entries(r.errors).map(([k, v]) => `${k} ${v}`).join(', ')}`);
    if (Object.keys(r.statuses).length > 0) extra.push(`statuses: ${Object.entries(r.statuses).map(([k, v]) => `${k} ×${v}`).join(', ')}`);
    if (r.violations.length === 0 && extra.length === 0) continue;
    lines.push(`${r.row.fault}:${r.violations.length === 0 ? ' no violation' : ''}`);
    for (const e of extra) lines.push(`  (${e})`);
    for (const v of r.violations) {
      lines.push(`  VIOLATION ${v.kind}: ${v.count}`);
      for (const x of v.examples) lines.push(`    - ${x}`);
    }
  }
  return lines.join('\n');
}

module.exports = { report, markdownTable };
