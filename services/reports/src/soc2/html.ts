import type { Soc2Report } from './soc2-report';

const ESC: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
export function escapeHtml(v: unknown): string {
  const s = v === null || v === undefined ? '' : typeof v === 'object' ? JSON.stringify(v) : String(v);
  return s.replace(/[&<>"']/g, (c) => ESC[c] ?? c);
}

/** Tables longer than this show their first rows only in HTML; the JSON and CSV exports hold them all. */
export const HTML_MAX_ROWS = 500;

/**
 * `links`: columns holding a route of this API (relative, starting with "/"), shown as links; any
 * other value is shown as text.
 */
function table(title: string, rows: readonly object[], columns: readonly string[], links: readonly string[] = []): string {
  const shown = rows.slice(0, HTML_MAX_ROWS) as Record<string, unknown>[];
  const more = rows.length > shown.length ? `<p class="note">${rows.length - shown.length} more rows in the CSV/JSON export.</p>` : '';
  const body = shown.length
    ? `<table><thead><tr>${columns.map((c) => `<th>${escapeHtml(c)}</th>`).join('')}</tr></thead><tbody>${shown
        .map((r) => `<tr>${columns.map((c) => `<td>${links.includes(c) ? link(r[c]) : escapeHtml(r[c])}</td>`).join('')}</tr>`)
        .join('')}</tbody></table>`
    : '<p class="note">None in this period.</p>';
  return `<h3>${escapeHtml(title)} (${rows.length})</h3>${body}${more}`;
}

function link(v: unknown): string {
  if (typeof v !== 'string' || !v.startsWith('/') || v.startsWith('//')) return escapeHtml(v);
  return `<a href="${escapeHtml(v)}">body</a>`;
}

function notes(list: readonly string[]): string {
  return list.map((n) => `<p class="note">${escapeHtml(n)}</p>`).join('');
}

/** A printable, self-contained page (no scripts, no external assets). */
export function reportHtml(r: Soc2Report): string {
  const v = r.verification;
  let verification: string;
  if (v.status === 'unavailable') {
    verification = `<p class="bad">Chain verification unavailable: ${escapeHtml(v.detail)}</p>`;
  } else {
    const scope = `${v.streams} streams, ${v.events} events up to store position ${v.throughPosition}; ${v.checkpoints.found} signed checkpoints${
      v.checkpoints.signaturesChecked ? ' checked' : ''
    }${v.checkpoints.lastAt ? `, the last at ${escapeHtml(v.checkpoints.lastAt)}` : ''}`;
    const note = v.checkpoints.note ? `<p class="note">${escapeHtml(v.checkpoints.note)}</p>` : '';
    verification =
      v.status === 'verified'
        ? `<p class="ok">Hash chains verified at ${escapeHtml(v.checkedAt)}: ${scope}; no problem found.</p>${note}`
        : `<p class="bad">Hash chain verification FAILED at ${escapeHtml(v.checkedAt)} (${scope}): ${v.problems.length} problem(s).</p>${note}<ul>${v.problems
            .slice(0, 200)
            .map((p) => `<li>${escapeHtml(p.description)}</li>`)
            .join('')}</ul>`;
  }
  const s = r.summary;
  const summary: [string, unknown][] = [
    ['Requests', s.requests], ['Sessions', s.sessions], ['Identities (unregistered)', `${s.identities} (${s.unregisteredAgents})`],
    ['Policy versions in force', s.policyVersions], ['Registrations / updates / removals', `${s.registrations} / ${s.registryUpdates} / ${s.removals}`],
    ['Approvals', `${s.approvals} (${Object.entries(s.approvalsByStatus).map(([k, n]) => `${k} ${n}`).join(', ')})`],
    ['Approvals where approver = requester', s.selfApprovals], ['Denials', s.denials],
    ['Secret reads (masked / unmasked)', `${s.secretReads} (${s.maskedSecretReads} / ${s.unmaskedSecretReads})`],
    ['Failed authentications', s.authenticationFailures], ['Bursts', s.bursts], ['Changes (with approval)', `${s.changes} (${s.changesWithApproval})`],
  ];
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(r.title)} ${escapeHtml(r.period.from)} – ${escapeHtml(r.period.to)}</title>
<style>
body{font:12px/1.4 system-ui,sans-serif;margin:2em;color:#111}h1{font-size:20px}h2{font-size:16px;border-bottom:1px solid #999;margin-top:2em}h3{font-size:13px}
table{border-collapse:collapse;width:100%;margin:.5em 0}th,td{border:1px solid #bbb;padding:2px 4px;text-align:left;vertical-align:top;word-break:break-all}
th{background:#eee}.note{color:#444;font-size:11px}.ok{color:#060;font-weight:bold}.bad{color:#a00;font-weight:bold}
@media print{body{margin:0;font-size:9px}h2{page-break-before:always}h2.first{page-break-before:avoid}thead{display:table-header-group}tr{page-break-inside:avoid}}
</style></head><body>
<h1>${escapeHtml(r.title)}</h1>
<p>Period ${escapeHtml(r.period.from)} to ${escapeHtml(r.period.to)} (end exclusive). Generated ${escapeHtml(r.generatedAt)} from the event store up to position ${r.source.storePosition} (${r.source.eventsApplied} events; ${r.source.invalidEvents} invalid).</p>
<h2 class="first">Log integrity</h2>${verification}
<h2>Summary</h2><table><tbody>${summary.map(([k, n]) => `<tr><th>${escapeHtml(k)}</th><td>${escapeHtml(n)}</td></tr>`).join('')}</tbody></table>
<h2>CC6.1 Logical access: identities, owners, policy</h2>${notes(r.cc6_1.notes)}
${table('Identities', r.cc6_1.identities, ['agent', 'owner', 'registered', 'username', 'groups', 'firstSeen', 'lastSeen', 'sessions', 'requests', 'toolCalls'])}
${table('Policy versions in force', r.cc6_1.policyVersions, ['policyVersion', 'firstSeen', 'lastSeen', 'decisions', 'rules'])}
<h2>CC6.2 / CC6.3 Registration and authorisation</h2>${notes(r.cc6_2_3.notes)}
${table('Agent registrations and removals', r.cc6_2_3.registrations, ['at', 'change', 'agent', 'owner', 'purpose', 'source'])}
${table('Approvals', r.cc6_2_3.approvals, ['approvalId', 'agent', 'owner', 'verb', 'resource', 'namespace', 'name', 'reason', 'status', 'approvers', 'approverDistinctFromRequester', 'requestedAt', 'secondsToDecision', 'expiresAt'])}
<h2>CC7.2 Monitoring: denials, secret reads, bursts</h2>
<p class="note">A burst: ${r.cc7_2.burstRule.threshold} or more events of one kind by one agent within ${r.cc7_2.burstRule.windowSeconds} s.</p>
${table('Bursts', r.cc7_2.bursts, ['agent', 'kind', 'start', 'end', 'count'])}
${table('Denials', r.cc7_2.denials, ['time', 'agent', 'owner', 'verb', 'resource', 'namespace', 'name', 'rule', 'requestId'])}
${table('Secret reads', r.cc7_2.secretReads, ['time', 'agent', 'owner', 'verb', 'namespace', 'name', 'rule', 'maskedValues', 'unmasked', 'requestId'])}
${table('Failed authentications', r.cc7_2.authenticationFailures, ['time', 'reason', 'method', 'path', 'sourceAddress'])}
<h2>CC8.1 Change management</h2>${notes(r.cc8_1.notes)}
${table('Changes', r.cc8_1.changes, ['time', 'agent', 'owner', 'verb', 'resource', 'subresource', 'namespace', 'name', 'decision', 'rule', 'approvalId', 'approvalStatus', 'approvers', 'requestBodyDigest', 'requestBodyRecorded', 'requestBodyUrl', 'outcome', 'status', 'requestId'], ['requestBodyUrl'])}
</body></html>
`;
}
