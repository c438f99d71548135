import { cellHtml, columnLabel, escapeHtml, isIdColumn, readableTime, ruleCounts, timeHtml } from './html-cells';
import { HTML_STYLE } from './html-style';
import type { PolicyVersionRow, Soc2Report } from './soc2-report';

export { escapeHtml } from './html-cells';

/** Tables longer than this show their first rows only in HTML; the JSON and CSV exports hold them all. */
export const HTML_MAX_ROWS = 500;

/**
 * `links`: columns holding a route of this API (relative, starting with "/"), shown as links; any
 * other value is shown as text.
 */
function table(title: string, rows: readonly object[], columns: readonly string[], links: readonly string[] = []): string {
  const shown = rows.slice(0, HTML_MAX_ROWS) as Record<string, unknown>[];
  const more = rows.length > shown.length ? `<p class="note">${rows.length - shown.length} more rows in the CSV/JSON export.</p>` : '';
  const td = (c: string, v: unknown): string => `<td${isIdColumn(c) ? ' class="id"' : typeof v === 'number' ? ' class="num"' : ''}>${links.includes(c) ? link(v) : cellHtml(c, v)}</td>`;
  const body = shown.length
    ? `<table><thead><tr>${columns.map((c) => `<th scope="col">${escapeHtml(columnLabel(c))}</th>`).join('')}</tr></thead><tbody>${shown
        .map((r) => `<tr>${columns.map((c) => td(c, r[c])).join('')}</tr>`)
        .join('')}</tbody></table>`
    : '<p class="note">None in this period.</p>';
  return `<h3>${escapeHtml(title)} <span class="count">(${rows.length})</span></h3>${body}${more}`;
}

function link(v: unknown): string {
  if (typeof v !== 'string' || !v.startsWith('/') || v.startsWith('//')) return cellHtml('', v);
  return `<a href="${escapeHtml(v)}">body</a>`;
}

function notes(list: readonly string[]): string {
  return list.map((n) => `<p class="note">${escapeHtml(n)}</p>`).join('');
}

/** Decisions per rule: summed over the period's policy versions, then each version's own, as small tables. */
function ruleTables(versions: readonly PolicyVersionRow[]): string {
  const total = new Map<string, number>();
  for (const v of versions) for (const [rule, n] of ruleCounts(v.rules)) total.set(rule, (total.get(rule) ?? 0) + n);
  const all = [...total.values()].reduce((a, b) => a + b, 0);
  const rows = [...total.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
  const summed = rows.length
    ? `<table class="rules"><thead><tr><th scope="col">Rule</th><th scope="col">Decisions</th><th scope="col">Share</th></tr></thead><tbody>${rows
        .map(([rule, n]) => `<tr><td>${escapeHtml(rule)}</td><td class="num">${n}</td><td class="num">${all ? Math.round((n / all) * 100) : 0}%</td></tr>`)
        .join('')}</tbody></table>`
    : '<p class="note">No decision in this period.</p>';
  const shown = versions.slice(0, HTML_MAX_ROWS);
  const perVersion = shown.length
    ? `<table><thead><tr><th scope="col">${columnLabel('policyVersion')}</th><th scope="col">In force</th><th scope="col">Decisions</th><th scope="col">By rule</th></tr></thead><tbody>${shown
        .map(
          (v) =>
            `<tr><td class="id">${escapeHtml(v.policyVersion)}</td><td>${timeHtml(v.firstSeen)} to ${timeHtml(v.lastSeen)}</td><td class="num">${v.decisions}</td><td><table class="rules inner"><tbody>${ruleCounts(v.rules)
              .map(([rule, n]) => `<tr><td>${escapeHtml(rule)}</td><td class="num">${n}</td></tr>`)
              .join('')}</tbody></table></td></tr>`,
        )
        .join('')}</tbody></table>`
    : '<p class="note">None in this period.</p>';
  return `<h3>Decisions by rule</h3>${summed}<h3>Policy versions in force <span class="count">(${versions.length})</span></h3>${perVersion}`;
}

function verificationHtml(r: Soc2Report): string {
  const v = r.verification;
  if (v.status === 'unavailable') return `<p class="bad">Chain verification unavailable: ${escapeHtml(v.detail)}</p>`;
  const scope = `${v.streams} streams, ${v.events} events up to store position ${v.throughPosition}; ${v.checkpoints.found} signed checkpoints${
    v.checkpoints.signaturesChecked ? ' checked' : ''
  }${v.checkpoints.lastAt ? `, the last at ${timeHtml(v.checkpoints.lastAt)}` : ''}`;
  const note = v.checkpoints.note ? `<p class="note">${escapeHtml(v.checkpoints.note)}</p>` : '';
  return v.status === 'verified'
    ? `<p class="ok">Hash chains verified at ${timeHtml(v.checkedAt)}: ${scope}; no problem found.</p>${note}`
    : `<p class="bad">Hash chain verification FAILED at ${timeHtml(v.checkedAt)} (${scope}): ${v.problems.length} problem(s).</p>${note}<ul>${v.problems
        .slice(0, 200)
        .map((p) => `<li>${escapeHtml(p.description)}</li>`)
        .join('')}</ul>`;
}

/** A printable, self-contained page (no scripts, no external assets). */
export function reportHtml(r: Soc2Report): string {
  const s = r.summary;
  const summary: [string, unknown][] = [
    ['Requests', s.requests], ['Sessions', s.sessions], ['Identities (unregistered)', `${s.identities} (${s.unregisteredAgents})`],
    ['Policy versions in force', s.policyVersions], ['Registrations / updates / removals', `${s.registrations} / ${s.registryUpdates} / ${s.removals}`],
    ['Approvals', `${s.approvals} (${Object.entries(s.approvalsByStatus).map(([k, n]) => `${k} ${n}`).join(', ')})`],
    ['Approvals where approver = requester', s.selfApprovals], ['Denials', s.denials],
    ['Secret reads (masked / unmasked)', `${s.secretReads} (${s.maskedSecretReads} / ${s.unmaskedSecretReads})`],
    ['Failed authentications', s.authenticationFailures], ['Bursts', s.bursts], ['Changes (with approval)', `${s.changes} (${s.changesWithApproval})`],
  ];
  const period = `${readableTime(r.period.from)} to ${readableTime(r.period.to)}`;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${escapeHtml(r.title)}, ${escapeHtml(period)}</title>
<style>${HTML_STYLE}</style></head><body>
<h1>${escapeHtml(r.title)}</h1>
<p>Period ${timeHtml(r.period.from)} to ${timeHtml(r.period.to)} (end exclusive). Generated ${timeHtml(r.generatedAt)} from the event store up to position ${r.source.storePosition} (${r.source.eventsApplied} events; ${r.source.invalidEvents} invalid).</p>
<h2 class="first">Log integrity</h2>${verificationHtml(r)}
<h2>Summary</h2><table class="summary"><tbody>${summary.map(([k, n]) => `<tr><th scope="row">${escapeHtml(k)}</th><td class="num">${escapeHtml(n)}</td></tr>`).join('')}</tbody></table>
<h2>CC6.1 Logical access: identities, owners, policy</h2>${notes(r.cc6_1.notes)}
${table('Identities', r.cc6_1.identities, ['agent', 'owner', 'registered', 'username', 'groups', 'firstSeen', 'lastSeen', 'sessions', 'requests', 'toolCalls'])}
${ruleTables(r.cc6_1.policyVersions)}
<h2>CC6.2 / CC6.3 Registration and authorisation</h2>${notes(r.cc6_2_3.notes)}
${table('Agent registrations and removals', r.cc6_2_3.registrations, ['at', 'change', 'agent', 'owner', 'purpose', 'source'])}
${table('Approvals', r.cc6_2_3.approvals, ['requestedAt', 'agent', 'owner', 'verb', 'resource', 'namespace', 'name', 'reason', 'status', 'approvers', 'approverDistinctFromRequester', 'secondsToDecision', 'expiresAt', 'approvalId'])}
<h2>CC7.2 Monitoring: denials, secret reads, bursts</h2>
<p class="note">A burst: ${r.cc7_2.burstRule.threshold} or more events of one kind by one agent within ${r.cc7_2.burstRule.windowSeconds} s.</p>
${table('Bursts', r.cc7_2.bursts, ['agent', 'kind', 'start', 'end', 'count'])}
${table('Denials', r.cc7_2.denials, ['time', 'agent', 'owner', 'verb', 'resource', 'namespace', 'name', 'rule', 'requestId'])}
${table('Secret reads', r.cc7_2.secretReads, ['time', 'agent', 'owner', 'verb', 'namespace', 'name', 'rule', 'maskedValues', 'unmasked', 'requestId'])}
${table('Failed authentications', r.cc7_2.authenticationFailures, ['time', 'reason', 'method', 'path', 'sourceAddress'])}
<h2>CC8.1 Change management</h2>${notes(r.cc8_1.notes)}
${table('Changes', r.cc8_1.changes, ['time', 'agent', 'owner', 'verb', 'resource', 'subresource', 'namespace', 'name', 'decision', 'rule', 'approvalStatus', 'approvers', 'requestBodyRecorded', 'requestBodyUrl', 'outcome', 'status', 'approvalId', 'requestBodyDigest', 'requestId'], ['requestBodyUrl'])}
</body></html>
`;
}
