import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { callApi } from '../api-client';
import { option, rejectUnknownOptions } from '../args';
import { UsageError, type Command } from '../command';
import { REPORTS_OPTIONS, REPORTS_OPTIONS_USAGE, reportsServer } from './reports-server';

/** The CSV sections the reports service exports (one file each). */
const CSV_SECTIONS = [
  'summary', 'cc6.1-identities', 'cc6.1-policy-versions', 'cc6.2-registrations', 'cc6.3-approvals', 'cc7.2-denials',
  'cc7.2-secret-reads', 'cc7.2-authentication-failures', 'cc7.2-bursts', 'cc8.1-changes',
];

/** `chaperone report soc2`: the SOC 2 evidence report for a period, as JSON, HTML or CSV files. */
export const report: Command = {
  name: 'report',
  summary: 'the SOC 2 evidence report for a period (JSON, printable HTML, or one CSV per section)',
  usage:
    'usage: chaperone report soc2 [--from DATE] [--to DATE] [--format json|html|csv] [--out PATH] [--server URL] [--token JWT]\n' +
    '  --from, --to   ISO dates or date-times; to is exclusive (default: the last 30 days)\n' +
    '  --format       json (default), html, or csv: one file per section, written into the --out directory\n' +
    '  --out PATH     write to this file (json, html) or directory (csv) instead of standard output\n' +
    REPORTS_OPTIONS_USAGE,
  async run(args, io) {
    rejectUnknownOptions(args, [...REPORTS_OPTIONS, 'from', 'to', 'format', 'out']);
    if (args.positional[0] !== 'soc2' || args.positional.length !== 1) throw new UsageError('the only report is soc2 (chaperone report soc2 ...)');
    const format = option(args, 'format', undefined, 'json');
    if (format !== 'json' && format !== 'html' && format !== 'csv') throw new UsageError('--format must be json, html or csv');
    const out = option(args, 'out');
    if (format === 'csv' && !out) throw new UsageError('--format csv writes one file per section: give a directory with --out');
    const { server, token } = reportsServer(args, io);
    const period = new URLSearchParams();
    for (const k of ['from', 'to']) {
      const v = option(args, k);
      if (v) period.set(k, v);
    }
    const path = (params: Record<string, string>) => `reports/soc2?${new URLSearchParams([...period, ...Object.entries(params)]).toString()}`;
    if (format === 'csv') {
      const dir = out as string;
      mkdirSync(dir, { recursive: true });
      for (const section of CSV_SECTIONS) {
        const file = join(dir, `${section}.csv`);
        writeFileSync(file, await callApi<string>({ server, token, path: path({ format: 'csv', section }), accept: 'text' }));
        io.out(`${file}\n`);
      }
      return 0;
    }
    const text =
      format === 'html'
        ? await callApi<string>({ server, token, path: path({ format: 'html' }), accept: 'text' })
        : `${JSON.stringify(await callApi({ server, token, path: path({ format: 'json' }) }), null, 2)}\n`;
    if (out) {
      writeFileSync(out, text);
      io.out(`${out}\n`);
    } else {
      io.out(text);
    }
    return 0;
  },
};
