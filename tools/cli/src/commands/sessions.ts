import type { SessionSummary } from '@chaperone/contracts';
import { callApi } from '../api-client';
import { option, rejectUnknownOptions } from '../args';
import { UsageError, type Command } from '../command';
import { REPORTS_OPTIONS, REPORTS_OPTIONS_USAGE, reportsServer } from './reports-server';
import { table } from './table';

const DURATION = /^(\d+)(m|h|d)$/;
const UNIT_MS = { m: 60_000, h: 3_600_000, d: 86_400_000 } as const;

/** `--since`: an ISO date or date-time, or a duration back from now (30m, 12h, 7d). */
export function sinceTime(value: string, now: Date): string {
  const d = DURATION.exec(value);
  if (d) return new Date(now.getTime() - Number(d[1]) * UNIT_MS[d[2] as keyof typeof UNIT_MS]).toISOString();
  if (!/^\d{4}-\d{2}-\d{2}/.test(value) || Number.isNaN(Date.parse(value))) {
    throw new UsageError('--since must be an ISO date or date-time (2026-11-25, 2026-11-25T10:00:00Z) or a duration (30m, 12h, 7d)');
  }
  return value;
}

/** Times as a reader scans them: to the second, UTC. */
function shortTime(iso: string): string {
  const t = Date.parse(iso);
  return Number.isNaN(t) ? iso : new Date(t).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** `chaperone sessions`: the agent sessions in the evidence, most recent first, one line each. */
export const sessions: Command = {
  name: 'sessions',
  summary: 'list agent sessions (id, agent, owner, first and last request, requests, changes)',
  usage:
    'usage: chaperone sessions [--agent NAME] [--owner EMAIL] [--since TIME] [--limit N] [--json] [--server URL] [--token JWT]\n' +
    '  --agent, --owner  only the sessions of this agent, or of agents with this owner\n' +
    '  --since TIME      only sessions with a request since TIME: ISO date or date-time, or 30m, 12h, 7d ago\n' +
    '  --limit N         at most N sessions (default 100)\n' +
    '  --json            the API answer as JSON\n' +
    REPORTS_OPTIONS_USAGE,
  async run(args, io) {
    rejectUnknownOptions(args, [...REPORTS_OPTIONS, 'agent', 'owner', 'since', 'limit', 'json']);
    if (args.positional.length) throw new UsageError(`unexpected argument ${JSON.stringify(args.positional[0]?.slice(0, 40))}`);
    const query = new URLSearchParams();
    for (const k of ['agent', 'owner', 'limit']) {
      const v = option(args, k);
      if (v !== undefined) query.set(k, v);
    }
    const since = option(args, 'since');
    if (since !== undefined) query.set('from', sinceTime(since, new Date()));
    const { server, token } = reportsServer(args, io);
    const answer = await callApi<{ total: number; sessions: SessionSummary[] }>({ server, token, path: `sessions?${query.toString()}` });
    if (args.options.get('json') === true) {
      io.out(`${JSON.stringify(answer, null, 2)}\n`);
      return 0;
    }
    if (answer.sessions.length === 0) {
      io.out('no sessions match\n');
      return 0;
    }
    const rows = [
      ['SESSION', 'AGENT', 'OWNER', 'FIRST', 'LAST', 'REQUESTS', 'CHANGES'],
      ...answer.sessions.map((s) => [s.sessionId, s.agent || '-', s.owner ?? '-', shortTime(s.firstTime), shortTime(s.lastTime), String(s.requests), String(s.changes)]),
    ];
    const more = answer.total > answer.sessions.length ? `\n${answer.sessions.length} of ${answer.total} sessions, most recent first (--limit for more)` : '';
    io.out(`${table(rows)}${more}\n`);
    return 0;
  },
};
