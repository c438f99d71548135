import type { ApprovalStatus } from '@chaperone/contracts';
import { approversDistinctFromRequester, ownerOf, secondsToDecision, type ReadModel } from '../read-model';

export interface ApprovalRow {
  approvalId: string;
  requestId: string;
  sessionId: string;
  agent: string;
  owner: string;
  requester: string;
  verb: string;
  resource: string;
  namespace: string;
  name: string;
  rule: string;
  reason: string;
  status: ApprovalStatus;
  approvers: string;
  approverReasons: string;
  approverDistinctFromRequester: boolean;
  requestedAt: string;
  decidedAt: string;
  secondsToDecision: number | null;
  expiresAt: string;
  grantExpiresAt: string;
  executedRequestId: string;
}

/** CC6.2/CC6.3: the approvals requested in the period, in the order they were requested. */
export function approvalRows(model: ReadModel, inPeriod: (time: string) => boolean): ApprovalRow[] {
  const approvals: ApprovalRow[] = [];
  for (const a of model.approvals.values()) {
    if (!inPeriod(a.requestedAt)) continue;
    const secs = secondsToDecision(a);
    approvals.push({
      approvalId: a.approvalId,
      requestId: a.requestId,
      sessionId: a.sessionId,
      agent: a.requester.agent,
      owner: ownerOf(model, a.requester.agent) ?? '',
      requester: a.requester.username,
      verb: a.request.verb,
      resource: a.request.subresource ? `${a.request.resource}/${a.request.subresource}` : a.request.resource,
      namespace: a.request.namespace,
      name: a.request.name,
      rule: a.rule,
      reason: a.reason,
      status: a.status,
      approvers: a.votes.map((v) => `${v.approver.username}:${v.vote}`).join(' '),
      approverReasons: a.votes.map((v) => v.reason).filter(Boolean).join(' | '),
      approverDistinctFromRequester: approversDistinctFromRequester(a),
      requestedAt: a.requestedAt,
      decidedAt: a.decidedAt ?? '',
      secondsToDecision: secs ?? null,
      expiresAt: a.expiresAt,
      grantExpiresAt: a.grantExpiresAt ?? '',
      executedRequestId: a.executedRequestId ?? '',
    });
  }
  return approvals.sort((a, b) => a.requestedAt.localeCompare(b.requestedAt) || a.approvalId.localeCompare(b.approvalId));
}

/** How many approvals ended in each status (every status present, 0 when none). */
export function approvalsByStatus(approvals: readonly ApprovalRow[]): Record<ApprovalStatus, number> {
  const byStatus: Record<ApprovalStatus, number> = { pending: 0, granted: 0, denied: 0, expired: 0, cancelled: 0, executed: 0 };
  for (const a of approvals) byStatus[a.status]++;
  return byStatus;
}
