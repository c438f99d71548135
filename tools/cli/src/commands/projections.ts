import { callApi } from '../api-client';
import { rejectUnknownOptions } from '../args';
import { UsageError, type Command } from '../command';
import { REPORTS_OPTIONS, REPORTS_OPTIONS_USAGE, reportsServer } from './reports-server';

/** `chaperone projections rebuild|status`: the reports service's read model. */
export const projections: Command = {
  name: 'projections',
  summary: "rebuild the reports service's read model from zero, or show where it stands",
  usage: `usage: chaperone projections rebuild|status [--server URL] [--token JWT]\n  rebuild rebuilds the replica that answers (each replica builds its own model from the store)\n${REPORTS_OPTIONS_USAGE}`,
  async run(args, io) {
    rejectUnknownOptions(args, [...REPORTS_OPTIONS]);
    const [action, ...extra] = args.positional;
    if ((action !== 'rebuild' && action !== 'status') || extra.length) throw new UsageError('say rebuild or status');
    const { server, token } = reportsServer(args, io);
    const result =
      action === 'rebuild'
        ? await callApi<{ events: number; seconds: number; eventsPerSecond: number; position: number }>({ server, token, path: 'projections/rebuild', method: 'POST' })
        : await callApi({ server, token, path: 'projections' });
    io.out(`${JSON.stringify(result, null, 2)}\n`);
    return 0;
  },
};
