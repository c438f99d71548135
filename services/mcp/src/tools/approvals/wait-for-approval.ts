import { z } from 'zod';
import type { ApprovalLookup } from '../../approvals/approvals-client';
import { ChaperoneUnavailable } from '../../errors';
import { failureResult, textResult } from '../results';
import { defineTool, type ToolContext } from '../tool-definition';
import { ApprovalIdArg } from './approval-status';
import { describeApproval } from './describe-approval';

/** Most MCP clients give a tool call 60 s; stay under it unless asked for more. */
export const DEFAULT_WAIT_SECONDS = 50;

/** Resolves after `ms`, or at once when the call is cancelled. */
function pause(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(t);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const t = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
  });
}

/**
 * Polls until the approval leaves "pending", the wait ends, or the client cancels; reports progress
 * on each poll. An approvers API that does not answer is polled again until the wait ends, as the
 * ingress does while it holds a request.
 */
async function waitFor(ctx: ToolContext, approvalId: string, seconds: number): Promise<{ lookup: ApprovalLookup; waited: number }> {
  const started = ctx.now().getTime();
  const deadline = started + seconds * 1000;
  for (;;) {
    let lookup: ApprovalLookup | undefined;
    let message: string;
    try {
      lookup = await ctx.approvals.get(ctx.token, approvalId, ctx.signal);
    } catch (e) {
      if (!(e instanceof ChaperoneUnavailable) || ctx.now().getTime() >= deadline) throw e;
    }
    const waited = Math.round((ctx.now().getTime() - started) / 1000);
    if (lookup) {
      if (!lookup.ok || lookup.snapshot.approval.status !== 'pending' || waited >= seconds || ctx.signal.aborted) return { lookup, waited };
      const a = lookup.snapshot.approval;
      message = `approval ${approvalId} pending: ${a.votes.length} of ${a.requiredApprovals ?? 1} approvals after ${waited} s`;
    } else {
      message = `approval ${approvalId}: the approvers API did not answer after ${waited} s; asking again`;
    }
    await ctx.progress.report(waited, seconds, message);
    await pause(Math.min(ctx.limits.pollMs, Math.max(0, deadline - ctx.now().getTime())), ctx.signal);
  }
}

export const waitForApproval = defineTool({
  name: 'wait_for_approval',
  title: 'Wait for an approval',
  description:
    `Wait until a human approves or denies one of your approvals, at most timeoutSeconds (default ${DEFAULT_WAIT_SECONDS}), with progress notifications. ` +
    'When it answers "granted", repeat the identical call that returned "pending": it runs exactly once. Still pending at the end: call it again.',
  input: {
    approvalId: ApprovalIdArg,
    timeoutSeconds: z.number().int().min(1).max(3600).optional().describe(`how long to wait at most (default ${DEFAULT_WAIT_SECONDS}; capped by the server)`),
  },
  hints: { readOnlyHint: true, destructiveHint: false, idempotentHint: true },
  async run(args, ctx) {
    const seconds = Math.min(args.timeoutSeconds ?? DEFAULT_WAIT_SECONDS, ctx.limits.waitMaxSeconds);
    const { lookup, waited } = await waitFor(ctx, args.approvalId, seconds);
    if (!lookup.ok) return failureResult(lookup.failure);
    const { text, structured } = describeApproval(lookup.snapshot);
    const still = lookup.snapshot.approval.status === 'pending';
    return textResult(still ? `${text}\n(still pending after ${waited} s)` : text, { ...structured, waitedSeconds: waited });
  },
});
