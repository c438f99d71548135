import { option, requiredOption, type ParsedArgs } from '../args';
import type { Io } from '../command';

/** Where the reports API is and who asks: --server / CHAPERONE_REPORTS_SERVER, --token / CHAPERONE_TOKEN. */
export const REPORTS_OPTIONS = ['server', 'token'] as const;
export const REPORTS_OPTIONS_USAGE =
  '  --server URL   the reports service (env CHAPERONE_REPORTS_SERVER, default http://127.0.0.1:9405)\n' +
  '  --token JWT    an OIDC token of a member of the compliance group (env CHAPERONE_TOKEN)';

export function reportsServer(args: ParsedArgs, io: Io): { server: string; token: string } {
  return {
    server: option(args, 'server', { io: io.env, name: 'CHAPERONE_REPORTS_SERVER' }, 'http://127.0.0.1:9405') as string,
    token: requiredOption(args, 'token', { io: io.env, name: 'CHAPERONE_TOKEN' }),
  };
}
