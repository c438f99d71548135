import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { z } from 'zod';
import { ExecChannels, type StreamText } from '../../ingress/exec-stream';
import { apiPath, namespaceFor } from '../../kube/paths';
import { Args } from '../args';
import { resultOf } from '../answer';
import type { ExecRan } from '../kube-session';
import { textResult } from '../results';
import { defineTool } from '../tool-definition';

const DEFAULT_TIMEOUT_SECONDS = 30;
const MAX_TIMEOUT_SECONDS = 300;

/**
 * kubectl exec POD [-c CONTAINER] -- COMMAND..., without -i and -t: one command, its output and
 * its exit code. It goes to the ingress as kubectl's exec does (a WebSocket upgrade with the
 * caller's token), so the policy decides it as `create pods/exec`, the ingress masks what comes
 * back line by line and records the session, and an approval works as for any other call.
 */
export const execCommand = defineTool({
  name: 'exec_command',
  title: 'Run a command in a container',
  description:
    'Run one non-interactive command in a running container (kubectl exec POD -- COMMAND), with no terminal and no stdin, and get its stdout, stderr and exit code. ' +
    'The command is an argv array, not a shell line: use ["sh", "-c", "..."] for pipes. Credentials in the output come back masked by Chaperone. ' +
    `The command gets timeoutSeconds (default ${DEFAULT_TIMEOUT_SECONDS}); then the session is closed.`,
  input: {
    pod: z.string().min(1).max(253).describe('the pod\'s name'),
    namespace: Args.namespace,
    container: z.string().min(1).max(253).optional().describe('the container (required when the pod has several)'),
    command: z.array(z.string().max(16_384)).min(1).max(100).describe('the command and its arguments, e.g. ["ls", "-l", "/data"]'),
    timeoutSeconds: z.number().int().min(1).max(MAX_TIMEOUT_SECONDS).optional().describe(`seconds the command may run (default ${DEFAULT_TIMEOUT_SECONDS}, at most ${MAX_TIMEOUT_SECONDS})`),
    reason: Args.reason,
  },
  // A command can change anything the container can reach, and running it twice is two runs.
  hints: { readOnlyHint: false, destructiveHint: true, idempotentHint: false },
  needs: [{ verbs: ['create'], group: '', resource: 'pods/exec' }],
  async run(args, ctx) {
    const pods = await ctx.kube.resolve('pods');
    const namespace = namespaceFor(pods, args.namespace);
    // kubectl's parameters for an exec without stdin or a terminal; the same arguments give the same URL.
    const query: [string, string][] = args.command.map((part) => ['command', part]);
    if (args.container) query.push(['container', args.container]);
    query.push(['stdout', 'true'], ['stderr', 'true']);
    const answer = await ctx.kube.exec(
      { path: apiPath({ resource: pods, namespace, name: args.pod, subresource: 'exec' }), query },
      {
        ...ctx,
        ...(args.reason ? { reason: args.reason } : {}),
        runTimeoutMs: (args.timeoutSeconds ?? DEFAULT_TIMEOUT_SECONDS) * 1000,
        outputBytes: ctx.limits.maxOutputChars,
      },
    );
    if (answer.kind === 'ran') return ranResult(answer, args.timeoutSeconds ?? DEFAULT_TIMEOUT_SECONDS);
    return resultOf(answer, ctx, { request: `exec in pod ${args.pod} in ${namespace ?? 'default'}`, retry: { tool: 'exec_command', arguments: args } }, () =>
      // A 2xx without a switch: the ingress answered the upgrade as a plain request.
      textResult('the exec session did not start (the ingress did not switch protocols)'),
    );
  },
});

/** How the session ended, as one line: kubectl's wording for an exit code. */
function endingOf(ran: ExecRan, timeoutSeconds: number): { line: string; ok: boolean } {
  if (ran.exit?.kind === 'exited') return { line: ran.exit.code === 0 ? 'exit code 0' : `command terminated with exit code ${ran.exit.code}`, ok: ran.exit.code === 0 };
  if (ran.exit?.kind === 'failed') return { line: `the command failed: ${ran.exit.message}`, ok: false };
  if (ran.ended === 'timeout') return { line: `the command did not finish within ${timeoutSeconds} s; Chaperone closed the session`, ok: false };
  return { line: 'the session ended without an exit status', ok: false };
}

function section(name: string, s: StreamText): string {
  const note = s.dropped > 0 ? `\n[output cut: ${s.bytes - s.dropped} of ${s.bytes} bytes shown. Narrow the command (head, grep, tail) to see less at once.]` : '';
  return `${name}:\n${s.text === '' && s.bytes === 0 ? '(empty)' : s.text.replace(/\n$/, '')}${note}`;
}

function ranResult(ran: ExecRan, timeoutSeconds: number): CallToolResult {
  const stdout = ran.output.stream(ExecChannels.stdout);
  const stderr = ran.output.stream(ExecChannels.stderr);
  const ending = endingOf(ran, timeoutSeconds);
  const text = [ending.line, section('stdout', stdout), section('stderr', stderr)].join('\n');
  const structured = {
    status: ending.ok ? 'done' : ran.ended === 'timeout' && !ran.exit ? 'timeout' : 'failed',
    ...(ran.exit?.kind === 'exited' ? { exitCode: ran.exit.code } : {}),
    ...(ran.exit?.kind === 'failed' ? { failure: ran.exit.message } : {}),
    stdout: stdout.text,
    stderr: stderr.text,
    stdoutBytes: stdout.bytes,
    stderrBytes: stderr.bytes,
    cut: stdout.dropped + stderr.dropped > 0,
    ...(ran.requestId ? { requestId: ran.requestId } : {}),
  };
  // A command that failed is an error result (MCP's isError): the agent sees its output either way.
  return { ...textResult(text, structured), ...(ending.ok ? {} : { isError: true }) };
}
