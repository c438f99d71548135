import type { Replay } from '@chaperone/contracts';
import { callApi, callApiBytes } from '../api-client';
import { rejectUnknownOptions } from '../args';
import { UsageError, type Command } from '../command';
import { renderBody } from './render-body';
import { REPORTS_OPTIONS, REPORTS_OPTIONS_USAGE, reportsServer } from './reports-server';

/** `chaperone replay <session>`: the session as the kubectl commands it sent, with their outcomes (and bodies). */
export const replay: Command = {
  name: 'replay',
  summary: 'show an agent session as the kubectl commands it ran, with decisions, outcomes and recorded bodies',
  usage:
    'usage: chaperone replay <session-id> [--bodies] [--json] [--server URL] [--token JWT]\n' +
    '  --bodies       under each request, its recorded bodies: the request as sent, the response as the agent\n' +
    '                 received it (masked); a stream (watch, logs -f) line by line with its time from the start\n' +
    "  --json         the replay as JSON (every request's timeline entry, for export)\n" +
    REPORTS_OPTIONS_USAGE,
  async run(args, io) {
    rejectUnknownOptions(args, [...REPORTS_OPTIONS, 'json', 'bodies']);
    const [session, ...extra] = args.positional;
    if (!session) throw new UsageError('which session? (chaperone replay <session-id>)');
    if (extra.length) throw new UsageError(`unexpected argument ${JSON.stringify(extra[0]?.slice(0, 40))}`);
    if (args.options.get('json') === true && args.options.get('bodies') === true) throw new UsageError('--json gives each body\'s link (entry.bodies); --bodies is for reading');
    const { server, token } = reportsServer(args, io);
    const path = `sessions/${encodeURIComponent(session)}/replay`;
    if (args.options.get('json') === true) {
      io.out(`${JSON.stringify(await callApi({ server, token, path }), null, 2)}\n`);
    } else if (args.options.get('bodies') === true) {
      const r = await callApi<Replay>({ server, token, path });
      io.out(`# session ${r.sessionId}: agent ${r.agent || '(unknown)'}, owner ${r.owner ?? '(not registered)'}, ${r.steps.length} request${r.steps.length === 1 ? '' : 's'}\n`);
      for (const s of r.steps) {
        io.out([`# ${s.step}. ${s.time} request ${s.requestId}`, `$ ${s.command}`, `#   → ${s.outcome}`, ...s.notes.map((n) => `#   (${n})`)].join('\n') + '\n');
        for (const kind of ['request', 'response'] as const) {
          const link = s.entry.bodies?.[kind];
          if (!link) continue;
          const fetched = link.state === 'stored' && link.href ? await callApiBytes({ server, token, path: link.href.replace(/^\//, '') }).catch((e: Error) => e) : undefined;
          io.out(renderBody(kind, link, fetched));
        }
      }
    } else {
      io.out(await callApi<string>({ server, token, path: `${path}?format=text`, accept: 'text' }));
    }
    return 0;
  },
};
