import { callApi } from '../api-client';
import { option, rejectUnknownOptions, requiredOption, type ParsedArgs } from '../args';
import { UsageError, type Command, type Io } from '../command';
import { table } from './table';

const USAGE = `usage: chaperone approvals list [--status pending|granted|denied|expired|cancelled|executed|all]
                                [--namespace <ns>] [--agent <name>] [--older-than <seconds>] [--json]
       chaperone approvals show <approval-id> [--json]
       chaperone approvals approve <approval-id> --reason <text> [--json]
       chaperone approvals deny <approval-id> --reason <text> [--json]

Review requests the Chaperone gateway holds for approval, through the approvers API (the same
API as GET /openapi.json describes). list shows what you may review (pending by default, oldest
first); show prints the request, the agent's reason, the masked body and, for patch/update/apply,
the changes to the live object; approve and deny need a reason, recorded with your identity.
Exit code 0: done; 1: refused or failed (the server's message is printed); 2: bad usage.

  --server   the approvers API (env CHAPERONE_APPROVAL_URL; http://127.0.0.1:9403)
  --token    your OIDC token, from the agents' issuer (env CHAPERONE_TOKEN; prefer the env: a
             command-line argument is visible to other users of the machine)
  --json     print the API's JSON answer`;

interface Approver {
  subject: string;
  username: string;
  groups: string[];
}

interface ApprovalView {
  approvalId: string;
  status: string;
  rule: string;
  requester: { subject: string; username: string; agent: string };
  request: { verb: string; apiGroup: string; resource: string; subresource: string; namespace: string; name: string; path: string };
  reason: string;
  createdAt: string;
  expiresAt: string;
  votes: { approver: Approver; reason: string; at: string }[];
  decidedBy?: Approver[];
  decisionReason?: string;
  grantExpiresAt?: string;
  mode?: string;
  requiredApprovals?: number;
}

interface ApprovalDetail {
  approval: ApprovalView;
  request: { method: string; path: string; query: string; requestId: string };
  approverGroups: string[];
  body?: { contentType: string; size: number; truncated: boolean; masked: string };
  diff: { available: true; basis: string; approximated: boolean; note?: string; changes: { path: string; op: string; from?: unknown; to?: unknown }[] } | { available: false; reason: string };
}

interface Connection {
  server: string;
  token: string;
}

const STATUSES = ['pending', 'granted', 'denied', 'expired', 'cancelled', 'executed', 'all'];

function connection(args: ParsedArgs, io: Io): Connection {
  return {
    server: option(args, 'server', { io: io.env, name: 'CHAPERONE_APPROVAL_URL' }, 'http://127.0.0.1:9403') as string,
    token: requiredOption(args, 'token', { io: io.env, name: 'CHAPERONE_TOKEN' }),
  };
}

function approvalId(args: ParsedArgs, sub: string): string {
  const [id, extra] = args.positional.slice(1);
  if (!id) throw new UsageError(`approvals ${sub} needs an approval id`);
  if (extra !== undefined) throw new UsageError(`unexpected argument ${JSON.stringify(extra.slice(0, 40))}`);
  return id;
}

/** "delete pods/web-0 -n shop": the request as a kubectl user reads it. */
function describe(r: ApprovalView['request']): string {
  if (!r.resource) return `${r.verb} ${r.path}`;
  const kind = `${r.resource}${r.apiGroup ? `.${r.apiGroup}` : ''}${r.subresource ? `/${r.subresource}` : ''}`;
  return `${r.verb} ${kind}${r.name ? ` ${r.name}` : ''}${r.namespace ? ` -n ${r.namespace}` : ''}`;
}

function age(from: string, now: number): string {
  const s = Math.max(0, Math.round((now - Date.parse(from)) / 1000));
  if (s < 120) return `${s}s`;
  if (s < 7200) return `${Math.round(s / 60)}m`;
  return `${Math.round(s / 3600)}h`;
}

function votes(a: ApprovalView): string {
  return `${a.status === 'granted' || a.status === 'executed' ? a.requiredApprovals ?? a.votes.length : a.votes.length}/${a.requiredApprovals ?? '?'}`;
}

function printDetail(d: ApprovalDetail, io: Io): void {
  const a = d.approval;
  const lines = [
    `Approval:   ${a.approvalId}`,
    `Status:     ${a.status}${a.mode ? ` (${a.mode} mode)` : ''}`,
    `Request:    ${describe(a.request)}`,
    `            ${d.request.method} ${d.request.path}${d.request.query ? `?${d.request.query}` : ''}`,
    `Agent:      ${a.requester.agent} (user ${a.requester.username})`,
    `Reason:     ${a.reason.trim() ? a.reason : '(none given)'}`,
    `Rule:       ${a.rule}; approvers: ${d.approverGroups.join(', ')}; approvals ${votes(a)}`,
    `Requested:  ${a.createdAt}; expires ${a.expiresAt}`,
  ];
  for (const v of a.votes) lines.push(`Vote:       ${v.approver.username} at ${v.at}: ${v.reason}`);
  if (a.status === 'denied' && a.decidedBy?.[0]) lines.push(`Denied by:  ${a.decidedBy[0].username}: ${a.decisionReason ?? ''}`);
  if (a.grantExpiresAt) lines.push(`Grant until: ${a.grantExpiresAt}`);
  if (d.body) {
    lines.push(`Body:       ${d.body.contentType}, ${d.body.size} bytes${d.body.truncated ? ' (truncated)' : ''}, secrets masked:`);
    lines.push(...d.body.masked.split('\n').map((l) => `  ${l}`));
  }
  if (d.diff.available) {
    lines.push(`Changes to the live object (${d.diff.basis}${d.diff.approximated ? ', approximated' : ''}):`);
    if (d.diff.note) lines.push(`  note: ${d.diff.note}`);
    if (d.diff.changes.length === 0) lines.push('  (none)');
    for (const c of d.diff.changes) {
      if (c.op === 'add') lines.push(`  + ${c.path}: ${JSON.stringify(c.to)}`);
      else if (c.op === 'remove') lines.push(`  - ${c.path}: ${JSON.stringify(c.from)}`);
      else lines.push(`  ~ ${c.path}: ${JSON.stringify(c.from)} -> ${JSON.stringify(c.to)}`);
    }
  } else {
    lines.push(`Diff:       none (${d.diff.reason})`);
  }
  io.out(`${lines.join('\n')}\n`);
}

async function list(args: ParsedArgs, io: Io): Promise<number> {
  rejectUnknownOptions(args, ['server', 'token', 'json', 'status', 'namespace', 'agent', 'older-than']);
  if (args.positional.length > 1) throw new UsageError(`unexpected argument ${JSON.stringify(args.positional[1]?.slice(0, 40))}`);
  const conn = connection(args, io);
  const query = new URLSearchParams();
  const status = option(args, 'status');
  if (status !== undefined && !STATUSES.includes(status)) throw new UsageError(`--status must be one of ${STATUSES.join(', ')}`);
  if (status) query.set('status', status);
  for (const [flag, param] of [['namespace', 'namespace'], ['agent', 'agent'], ['older-than', 'olderThanSeconds']] as const) {
    const v = option(args, flag);
    if (v !== undefined) query.set(param, v);
  }
  const olderThan = query.get('olderThanSeconds');
  if (olderThan !== null && !/^\d+$/.test(olderThan)) throw new UsageError('--older-than must be a whole number of seconds');
  const { items } = await callApi<{ items: ApprovalView[] }>({ ...conn, path: `approvals${query.size ? `?${query}` : ''}` });
  if (args.options.has('json')) {
    io.out(`${JSON.stringify({ items }, null, 2)}\n`);
    return 0;
  }
  if (items.length === 0) {
    io.out(`no ${status === 'all' ? '' : `${status ?? 'pending'} `}approvals you may see\n`);
    return 0;
  }
  const now = Date.now();
  io.out(`${table([['ID', 'AGE', 'STATUS', 'VOTES', 'AGENT', 'REQUEST', 'REASON'], ...items.map((a) => [a.approvalId, age(a.createdAt, now), a.status, votes(a), a.requester.agent, describe(a.request), a.reason])])}\n`);
  return 0;
}

async function show(args: ParsedArgs, io: Io): Promise<number> {
  rejectUnknownOptions(args, ['server', 'token', 'json']);
  const id = approvalId(args, 'show');
  const detail = await callApi<ApprovalDetail>({ ...connection(args, io), path: `approvals/${encodeURIComponent(id)}` });
  if (args.options.has('json')) io.out(`${JSON.stringify(detail, null, 2)}\n`);
  else printDetail(detail, io);
  return 0;
}

async function giveVerdict(args: ParsedArgs, io: Io, verb: 'approve' | 'deny'): Promise<number> {
  rejectUnknownOptions(args, ['server', 'token', 'json', 'reason']);
  const id = approvalId(args, verb);
  const reason = option(args, 'reason');
  if (reason === undefined || reason.trim() === '') throw new UsageError(`approvals ${verb} needs --reason <text> (recorded with your verdict)`);
  const view = await callApi<ApprovalView>({ ...connection(args, io), path: `approvals/${encodeURIComponent(id)}/${verb}`, method: 'POST', body: { reason } });
  if (args.options.has('json')) {
    io.out(`${JSON.stringify(view, null, 2)}\n`);
    return 0;
  }
  const outcome =
    view.status === 'pending'
      ? `vote recorded (${votes(view)} approvals); waiting for another approver`
      : view.status === 'granted'
        ? `granted: the request may run once, until ${view.grantExpiresAt ?? '?'}`
        : view.status;
  io.out(`approval ${view.approvalId}: ${outcome}\n`);
  return 0;
}

/** `chaperone approvals list|show|approve|deny`: the approvers' side of just-in-time approval. */
export const approvalsCommand: Command = {
  name: 'approvals',
  summary: 'list, show, approve or deny requests held for approval',
  usage: USAGE,
  async run(args, io) {
    const sub = args.positional[0];
    switch (sub) {
      case 'list':
        return list(args, io);
      case 'show':
        return show(args, io);
      case 'approve':
      case 'deny':
        return giveVerdict(args, io, sub);
      default:
        throw new UsageError(sub === undefined ? 'which one: list, show, approve or deny?' : `unknown subcommand ${JSON.stringify(sub.slice(0, 40))}`);
    }
  },
};
