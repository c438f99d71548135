import type { Soc2Report } from './soc2-report';

/**
 * CSV export: one CSV per section (RFC 4180, CRLF), chosen with `section=`. One file per table keeps
 * each sheet a plain table an auditor can filter and sample; `summary` carries the period, the
 * chain verification result and every figure.
 */
export const CSV_SECTIONS = Object.freeze([
  'summary',
  'cc6.1-identities',
  'cc6.1-policy-versions',
  'cc6.2-registrations',
  'cc6.3-approvals',
  'cc7.2-denials',
  'cc7.2-secret-reads',
  'cc7.2-authentication-failures',
  'cc7.2-bursts',
  'cc8.1-changes',
] as const);
export type CsvSection = (typeof CSV_SECTIONS)[number];

type Row = Record<string, unknown>;

/** A cell: quoted when needed; text that a spreadsheet would run as a formula is prefixed with '. */
export function csvCell(v: unknown): string {
  if (v === null || v === undefined) return '';
  let s = typeof v === 'string' ? v : typeof v === 'object' ? JSON.stringify(v) : String(v);
  if (typeof v === 'string' && /^[=+\-@\t\r]/.test(s)) s = `'${s}`;
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export function toCsv(columns: readonly string[], rows: readonly Row[]): string {
  const lines = [columns.map(csvCell).join(',')];
  for (const r of rows) lines.push(columns.map((c) => csvCell(r[c])).join(','));
  return `${lines.join('\r\n')}\r\n`;
}

function table(rows: readonly object[], columns?: readonly string[]): string {
  const cols = columns ?? (rows[0] ? Object.keys(rows[0]) : []);
  return toCsv(cols, rows as Row[]);
}

function summaryRows(r: Soc2Report): Row[] {
  const v = r.verification;
  const rows: Row[] = [
    { key: 'title', value: r.title },
    { key: 'period.from', value: r.period.from },
    { key: 'period.to', value: r.period.to },
    { key: 'generatedAt', value: r.generatedAt },
    { key: 'source.storePosition', value: r.source.storePosition },
    { key: 'source.eventsApplied', value: r.source.eventsApplied },
    { key: 'source.invalidEvents', value: r.source.invalidEvents },
    { key: 'verification.status', value: v.status },
    { key: 'verification.checkedAt', value: v.checkedAt },
  ];
  if (v.status === 'unavailable') rows.push({ key: 'verification.detail', value: v.detail });
  else {
    rows.push(
      { key: 'verification.throughPosition', value: v.throughPosition },
      { key: 'verification.streams', value: v.streams },
      { key: 'verification.events', value: v.events },
      { key: 'verification.checkpoints', value: v.checkpoints.found },
      { key: 'verification.checkpointSignaturesChecked', value: v.checkpoints.signaturesChecked },
      { key: 'verification.problems', value: v.problems.length },
    );
    for (const [i, p] of v.problems.slice(0, 100).entries()) rows.push({ key: `verification.problem.${i + 1}`, value: p.description });
  }
  for (const [k, val] of Object.entries(r.summary)) {
    if (typeof val === 'object') for (const [k2, n] of Object.entries(val)) rows.push({ key: `summary.${k}.${k2}`, value: n });
    else rows.push({ key: `summary.${k}`, value: val });
  }
  rows.push({ key: 'burstRule.threshold', value: r.cc7_2.burstRule.threshold }, { key: 'burstRule.windowSeconds', value: r.cc7_2.burstRule.windowSeconds });
  return rows;
}

export function sectionCsv(r: Soc2Report, section: CsvSection): string {
  switch (section) {
    case 'summary':
      return toCsv(['key', 'value'], summaryRows(r));
    case 'cc6.1-identities':
      return table(r.cc6_1.identities, ['agent', 'owner', 'registered', 'username', 'subject', 'groups', 'firstSeen', 'lastSeen', 'sessions', 'requests', 'toolCalls']);
    case 'cc6.1-policy-versions':
      return table(r.cc6_1.policyVersions, ['policyVersion', 'firstSeen', 'lastSeen', 'decisions', 'rules']);
    case 'cc6.2-registrations':
      return table(r.cc6_2_3.registrations, ['at', 'change', 'agent', 'owner', 'purpose', 'source', 'eventId']);
    case 'cc6.3-approvals':
      return table(r.cc6_2_3.approvals, [
        'approvalId', 'requestId', 'sessionId', 'agent', 'owner', 'requester', 'verb', 'resource', 'namespace', 'name', 'rule', 'reason', 'status',
        'approvers', 'approverReasons', 'approverDistinctFromRequester', 'requestedAt', 'decidedAt', 'secondsToDecision', 'expiresAt', 'grantExpiresAt', 'executedRequestId',
      ]);
    case 'cc7.2-denials':
      return table(r.cc7_2.denials, ['time', 'requestId', 'sessionId', 'agent', 'owner', 'verb', 'resource', 'namespace', 'name', 'rule', 'policyVersion', 'reason']);
    case 'cc7.2-secret-reads':
      return table(r.cc7_2.secretReads, ['time', 'requestId', 'sessionId', 'agent', 'owner', 'verb', 'namespace', 'name', 'rule', 'maskedValues', 'unmasked']);
    case 'cc7.2-authentication-failures':
      return table(r.cc7_2.authenticationFailures, ['time', 'reason', 'method', 'path', 'sourceAddress', 'eventId']);
    case 'cc7.2-bursts':
      return table(r.cc7_2.bursts, ['agent', 'kind', 'start', 'end', 'count']);
    case 'cc8.1-changes':
      return table(r.cc8_1.changes, [
        'time', 'requestId', 'sessionId', 'agent', 'owner', 'verb', 'apiGroup', 'resource', 'subresource', 'namespace', 'name', 'decision', 'rule',
        'policyVersion', 'approvalId', 'approvalStatus', 'approvers', 'requestBodyDigest', 'requestBodyRecorded', 'requestBodyUrl', 'outcome', 'status', 'eventIds',
      ]);
    default: {
      const unhandled: never = section;
      throw new Error(`unknown section ${String(unhandled)}`);
    }
  }
}
