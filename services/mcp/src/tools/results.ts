import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { kubeStatus, type KubeStatus } from '@chaperone/k8s-status';
import { UnknownResource } from '../discovery/resource-index';
import { BadArguments, CallCancelled, ChaperoneUnavailable } from '../errors';
import type { StatusFailure } from '../ingress/ingress-answer';
import { DiscoveryRefused } from './kube-session';

/**
 * Cut a long text, saying so and how to get less: the agent's context is the scarce resource, and
 * a silently truncated answer reads as a complete one.
 */
export function cut(text: string, maxChars: number, hint: string): string {
  if (text.length <= maxChars) return text;
  return `${text.slice(0, maxChars)}\n[output cut: ${maxChars} of ${text.length} characters shown. ${hint}]`;
}

export function textResult(text: string, structured?: Record<string, unknown>): CallToolResult {
  return { content: [{ type: 'text', text }], ...(structured ? { structuredContent: structured } : {}) };
}

/** A refusal, as the agent sees it: kubectl's "(<reason>): <message>", with the Status itself as structured content. */
export function failureResult(f: StatusFailure, context?: string): CallToolResult {
  // A Status as the API server writes it; the reason is the ingress's (or the cluster's) own string.
  const status: Record<string, unknown> = {
    kind: 'Status',
    apiVersion: 'v1',
    metadata: {},
    status: 'Failure',
    message: f.message,
    reason: f.reason,
    code: f.code,
    ...(f.details ? { details: f.details } : {}),
  };
  return {
    isError: true,
    content: [{ type: 'text', text: `${context ? `${context}: ` : ''}Error from server (${f.reason}): ${f.message}` }],
    structuredContent: status,
  };
}

/** The one mapping from this service's typed errors to what a tool answers. */
export function errorResult(e: unknown): CallToolResult {
  if (e instanceof DiscoveryRefused) return failureResult(e.failure, 'cannot discover the resource types');
  const as = (s: KubeStatus) => failureResult({ code: s.code, reason: s.reason, message: s.message });
  if (e instanceof UnknownResource) return as(kubeStatus('NotFound', e.message));
  if (e instanceof BadArguments) return as(kubeStatus('BadRequest', e.message));
  if (e instanceof ChaperoneUnavailable) return as(kubeStatus('ServiceUnavailable', e.message));
  if (e instanceof CallCancelled) return as(kubeStatus('BadRequest', 'the tool call was cancelled; if it was held for approval, the approval was withdrawn'));
  return as(kubeStatus('InternalError', `the MCP service failed: ${e instanceof Error ? e.message : String(e)}`));
}

/** One request that waits for a human: what the agent needs to follow it and to run it once approved. */
export interface PendingApproval {
  approvalId: string;
  approvalUrl: string;
  /** When the approval expires if nobody reviews it (from the approvers API; absent when it could not be read). */
  expiresAt?: string;
  retryAfterSeconds?: number;
  /** The ingress's message: the rule, its reason, how long a grant stays usable. */
  message: string;
  /** What it is about ("delete pod worker-0 in default"). */
  request: string;
}

/** The call to repeat, identically, once approved: it then runs once. */
export interface Retry {
  tool: string;
  arguments: Record<string, unknown>;
}

/**
 * A structured "pending" answer, at once: nothing was sent to the cluster. The agent follows it with
 * approval_status / wait_for_approval, then repeats `retry` exactly.
 */
export function pendingResult(approvals: PendingApproval[], retry: Retry, done: string[] = []): CallToolResult {
  const lines = [
    ...done,
    ...approvals.map(
      (a) =>
        `PENDING approval ${a.approvalId} for ${a.request}${a.expiresAt ? ` (expires ${a.expiresAt})` : ''}: ${a.approvalUrl}\n  ${a.message}`,
    ),
    `Nothing was sent for ${approvals.length === 1 ? 'this request' : 'these requests'}. Call wait_for_approval with the approval id, then repeat the identical ${retry.tool} call ` +
      `(arguments: ${JSON.stringify(retry.arguments)}); once approved it runs exactly once.`,
  ];
  const first = approvals[0];
  return textResult(lines.join('\n'), {
    status: 'pending',
    ...(approvals.length === 1 && first ? { approvalId: first.approvalId, approvalUrl: first.approvalUrl, ...(first.expiresAt ? { expiresAt: first.expiresAt } : {}) } : {}),
    approvals,
    retry,
  });
}
