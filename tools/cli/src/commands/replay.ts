import { callApi } from '../api-client';
import { rejectUnknownOptions } from '../args';
import { UsageError, type Command } from '../command';
import { REPORTS_OPTIONS, REPORTS_OPTIONS_USAGE, reportsServer } from './reports-server';

/** `chaperone replay <session>`: the session as the kubectl commands it sent, with their outcomes. */
export const replay: Command = {
  name: 'replay',
  summary: 'show an agent session as the kubectl commands it ran, with decisions and outcomes',
  usage: `usage: chaperone replay <session-id> [--json] [--server URL] [--token JWT]\n  --json         the replay as JSON (every request's timeline entry, for export)\n${REPORTS_OPTIONS_USAGE}`,
  async run(args, io) {
    rejectUnknownOptions(args, [...REPORTS_OPTIONS, 'json']);
    const [session, ...extra] = args.positional;
    if (!session) throw new UsageError('which session? (chaperone replay <session-id>)');
    if (extra.length) throw new UsageError(`unexpected argument ${JSON.stringify(extra[0]?.slice(0, 40))}`);
    const { server, token } = reportsServer(args, io);
    const path = `sessions/${encodeURIComponent(session)}/replay`;
    if (args.options.get('json') === true) {
      io.out(`${JSON.stringify(await callApi({ server, token, path }), null, 2)}\n`);
    } else {
      io.out(await callApi<string>({ server, token, path: `${path}?format=text`, accept: 'text' }));
    }
    return 0;
  },
};
