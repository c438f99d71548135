import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import type { ApprovalTicket, IngressAnswer } from '../ingress/ingress-answer';
import { failureResult, pendingResult, type PendingApproval, type Retry } from './results';
import type { ToolContext } from './tool-definition';

/**
 * A ticket, with the approval's expiry read from the approvers API as the caller (who may see
 * their own approvals). Without it the answer still has the id and the link.
 */
export async function pendingApproval(ctx: ToolContext, ticket: ApprovalTicket, request: string): Promise<PendingApproval> {
  let expiresAt: string | undefined;
  try {
    const found = await ctx.approvals.get(ctx.token, ticket.approvalId, ctx.signal);
    if (found.ok) expiresAt = found.snapshot.approval.expiresAt;
  } catch {
    // best effort: the id and the link are enough to follow it
  }
  return {
    approvalId: ticket.approvalId,
    approvalUrl: ticket.url,
    ...(expiresAt ? { expiresAt } : {}),
    ...(ticket.retryAfterSeconds === undefined ? {} : { retryAfterSeconds: ticket.retryAfterSeconds }),
    message: ticket.message,
    request,
  };
}

/** What one Kubernetes call answers as a tool: `onOk` on success, "pending" on a ticket, else the refusal. */
export async function resultOf(
  answer: IngressAnswer,
  ctx: ToolContext,
  about: { request: string; retry: Retry },
  onOk: (ok: Extract<IngressAnswer, { kind: 'ok' }>) => CallToolResult,
): Promise<CallToolResult> {
  switch (answer.kind) {
    case 'ok':
      return onOk(answer);
    case 'pending':
      return pendingResult([await pendingApproval(ctx, answer.ticket, about.request)], about.retry);
    case 'hold-only':
    case 'failure':
      return failureResult(answer.failure);
    default: {
      const unhandled: never = answer;
      throw new Error(`unhandled answer ${JSON.stringify(unhandled)}`);
    }
  }
}

/** The JSON body of a success (the ingress returns Kubernetes JSON); undefined when it is not JSON. */
export function jsonOf(body: string): unknown {
  try {
    return JSON.parse(body) as unknown;
  } catch {
    return undefined;
  }
}
