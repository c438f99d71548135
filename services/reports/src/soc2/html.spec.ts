import { applyRecorded, emptyReadModel } from '../read-model';
import type { ChainVerification } from '../verify/chain-verification';
import { emptySummary, generateHistory } from '../workload/generate-history';
import { reportHtml } from './html';
import { columnLabel, duration, readableTime } from './html-cells';
import { buildSoc2Report } from './soc2-report';

/** A report over a generated history (identities, approvals, denials, secret reads, changes). */
function report() {
  const model = emptyReadModel();
  let position = 0;
  for (const g of generateHistory({ events: 1500, agents: 5, seed: 3, start: new Date('2026-01-01T00:00:00Z'), spanDays: 5, runId: 'h' }, emptySummary())) {
    position++;
    applyRecorded(model, { stream: g.stream, revision: position, globalPosition: position, eventId: g.event.eventId, type: g.event.type, data: g.event.data, metadata: {}, recordedAt: '2026-01-06T00:00:00.000Z' });
  }
  const verification: ChainVerification = { status: 'verified', checkedAt: '2026-01-06T08:00:00.000Z', throughPosition: position, streams: 9, events: position, checkpoints: { found: 2, signaturesChecked: true, lastAt: '2026-01-06T07:59:00.000Z' }, recordings: { bodies: 0, blobs: 0, pruned: 0 }, problems: [] };
  return buildSoc2Report(model, { from: '2026-01-01T00:00:00.000Z', to: '2026-01-07T00:00:00.000Z' }, { burst: { threshold: 10, windowSeconds: 60 }, verification, now: new Date('2026-01-06T08:00:00.000Z') });
}

describe('the printable SOC 2 page', () => {
  const r = report();
  const html = reportHtml(r);
  const headers = [...html.matchAll(/<th scope="col">([^<]*)<\/th>/g)].map((m) => m[1] as string);

  it('given a report, then columns carry labels people read, not field names', () => {
    expect(headers).toEqual(expect.arrayContaining(['Request ID', 'Time to decision', 'Approver is not the requester', 'Last seen', 'Policy version (sha256)', 'Request body']));
    for (const h of headers) expect(h).not.toMatch(/[a-z][A-Z]/);
  });

  it('given a report, then no word is broken in the middle: only identifier cells may wrap anywhere', () => {
    expect(html).not.toContain('break-all');
    const rules = html.match(/[^{}]*\{[^{}]*overflow-wrap:anywhere[^{}]*\}/g) ?? [];
    expect(rules.map((x) => x.trim().split('{')[0])).toEqual(['td.id']);
    const denial = r.cc7_2.denials[0];
    expect(denial).toBeDefined();
    expect(html).toContain(`<td class="id">${denial?.requestId}</td>`);
  });

  it('given a report, then times read as dates and UTC clock times, keeping the instant in datetime', () => {
    const t = r.cc7_2.denials[0]?.time as string;
    expect(html).toContain(`<time datetime="${t}">${t.slice(0, 10)} ${t.slice(11, 19)} UTC</time>`);
    // No raw ISO time outside an attribute.
    expect(html.replace(/datetime="[^"]*"/g, '')).not.toMatch(/\d{4}-\d\d-\d\dT\d\d:\d\d/);
    expect(readableTime('2026-01-05T10:02:11.123Z')).toBe('2026-01-05 10:02:11 UTC');
    expect([duration(42), duration(312), duration(7260)]).toEqual(['42 s', '5 min 12 s', '2 h 1 min']);
  });

  it('given decisions by several rules, then they are counted in a small table, one rule a row', () => {
    const section = html.slice(html.indexOf('<h3>Decisions by rule</h3>'), html.indexOf('<h3>Policy versions in force'));
    const rows = [...section.matchAll(/<tr><td>([^<]+)<\/td><td class="num">(\d+)<\/td>/g)].map((m) => [m[1], Number(m[2])]);
    expect(rows.length).toBeGreaterThan(2);
    const decisions = r.cc6_1.policyVersions.reduce((n, v) => n + v.decisions, 0);
    expect(rows.reduce((n, [, c]) => n + (c as number), 0)).toBe(decisions);
  });

  it('prints: a print stylesheet with page breaks per control and repeated table headers', () => {
    expect(html).toMatch(/@media print\{[\s\S]*thead\{display:table-header-group\}/);
    expect(html).toContain('h2{break-before:page}');
    expect(html).not.toMatch(/<script/i);
  });

  it('labels camelCase fields it does not know as words', () => {
    expect(columnLabel('approvalStatus')).toBe('Approval status');
    expect(columnLabel('requestBodyRecorded')).toBe('Request body recorded');
  });
});
