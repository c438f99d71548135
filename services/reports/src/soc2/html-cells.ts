/**
 * How the printable SOC 2 page shows the report's fields: column labels people read, times in
 * words, durations, yes/no, and which columns hold long identifiers (the only cells that may break
 * anywhere). The JSON and CSV exports keep the field names and raw values.
 */

const ESC: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
export function escapeHtml(v: unknown): string {
  const s = v === null || v === undefined ? '' : typeof v === 'object' ? JSON.stringify(v) : String(v);
  return s.replace(/[&<>"']/g, (c) => ESC[c] ?? c);
}

/** Labels that a camelCase split would get wrong or leave unclear. */
const LABELS: Readonly<Record<string, string>> = Object.freeze({
  requestId: 'Request ID',
  sessionId: 'Session ID',
  approvalId: 'Approval ID',
  eventId: 'Event ID',
  executedRequestId: 'Executed request ID',
  policyVersion: 'Policy version (sha256)',
  approverDistinctFromRequester: 'Approver is not the requester',
  secondsToDecision: 'Time to decision',
  requestBodyDigest: 'Request body digest',
  requestBodyUrl: 'Request body',
  apiGroup: 'API group',
  sourceAddress: 'Source address',
  toolCalls: 'MCP tool calls',
  maskedValues: 'Masked values',
  at: 'When',
  time: 'When',
  start: 'From',
  end: 'To',
});

/** "secondsToDecision" → "Seconds to decision", unless LABELS says better. */
export function columnLabel(field: string): string {
  const known = LABELS[field];
  if (known) return known;
  const words = field.replace(/([a-z0-9])([A-Z])/g, '$1 $2').toLowerCase();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

/** Columns of identifiers and digests: monospace, and the only cells allowed to wrap anywhere. */
const ID_COLUMNS: ReadonlySet<string> = new Set(['requestId', 'sessionId', 'approvalId', 'eventId', 'executedRequestId', 'policyVersion', 'requestBodyDigest', 'subject', 'path', 'source', 'eventIds']);
export const isIdColumn = (field: string): boolean => ID_COLUMNS.has(field);

const TIME_COLUMNS = /^(time|at|start|end)$|At$|Seen$/;
const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/;

/** An ISO time as "2026-01-05 10:02:11 UTC": unambiguous on paper, sorts as text, no locale. */
export function readableTime(iso: string): string {
  if (!ISO.test(iso)) return iso;
  return `${iso.slice(0, 10)} ${iso.slice(11, 19)} UTC`;
}

/** A time as text inside <time>, keeping the exact instant in its datetime attribute. */
export function timeHtml(iso: string): string {
  return ISO.test(iso) ? `<time datetime="${escapeHtml(iso)}">${escapeHtml(readableTime(iso))}</time>` : escapeHtml(iso);
}

/** 42 → "42 s", 312 → "5 min 12 s", 7260 → "2 h 1 min". */
export function duration(seconds: number): string {
  const s = Math.round(seconds);
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min${s % 60 ? ` ${s % 60} s` : ''}`;
  const m = Math.floor((s % 3600) / 60);
  return `${Math.floor(s / 3600)} h${m ? ` ${m} min` : ''}`;
}

/** One table cell's content, escaped. */
export function cellHtml(field: string, v: unknown): string {
  if (v === null || v === undefined || v === '') return '<span class="none">—</span>';
  if (typeof v === 'boolean') return v ? 'yes' : 'no';
  if (field === 'secondsToDecision' && typeof v === 'number') return escapeHtml(duration(v));
  if (typeof v === 'string' && TIME_COLUMNS.test(field)) return timeHtml(v);
  if (Array.isArray(v)) return escapeHtml(v.join(', '));
  return escapeHtml(v);
}

/** "rule-a=3 rule-b=1" (a policy version's rules) as [rule, decisions] pairs. */
export function ruleCounts(rules: string): [string, number][] {
  return rules
    .split(' ')
    .filter(Boolean)
    .map((pair): [string, number] => {
      const i = pair.lastIndexOf('=');
      return [pair.slice(0, i), Number(pair.slice(i + 1))];
    });
}
