import type { ApprovalLifecycleEvent, ApprovalRequested, ApprovalStatus, Approver, Requester } from '@chaperone/contracts';

export interface ApprovalVote {
  approver: Approver;
  /** The vote's effect: a grant vote (recorded or deciding) or a denial. */
  vote: 'approve' | 'deny';
  reason: string;
  at: string;
}

/** One approval's lifecycle as the reports need it (CC6.2/CC6.3, CC8.1). */
export interface ApprovalView {
  approvalId: string;
  requestId: string;
  sessionId: string;
  requester: Requester;
  request: ApprovalRequested['data']['request'];
  rule: string;
  reason: string;
  approverGroups: string[];
  requiredApprovals: number;
  mode: string;
  requestedAt: string;
  expiresAt: string;
  requestBodyDigest?: string;
  status: ApprovalStatus;
  votes: ApprovalVote[];
  /** When the approval was settled (granted, denied, expired, cancelled). */
  decidedAt?: string;
  grantExpiresAt?: string;
  cancelledWhy?: string;
  /** The request that ran on the grant (ticket mode: a retry with its own requestId). */
  executedRequestId?: string;
  executedAt?: string;
  eventIds: string[];
}

export function newApprovalView(e: ApprovalRequested): ApprovalView {
  const d = e.data;
  return {
    approvalId: d.approvalId,
    requestId: d.requestId,
    sessionId: d.sessionId,
    requester: d.requester,
    request: d.request,
    rule: d.rule,
    reason: d.reason,
    approverGroups: d.approverGroups,
    requiredApprovals: d.requiredApprovals,
    mode: d.mode,
    requestedAt: d.at,
    expiresAt: d.expiresAt,
    ...(d.requestBody ? { requestBodyDigest: d.requestBody.digest } : {}),
    status: 'pending',
    votes: [],
    eventIds: [],
  };
}

/** Pure: the approval view after one of its lifecycle events (ApprovalRequested creates it: see newApprovalView). */
export function evolveApproval(view: ApprovalView, e: ApprovalLifecycleEvent): ApprovalView {
  switch (e.type) {
    case 'ApprovalRequested':
      return view;
    case 'ApprovalVoteRecorded':
      return { ...view, votes: [...view.votes, { approver: e.data.approver, vote: 'approve', reason: e.data.reason, at: e.data.at }] };
    case 'ApprovalGranted':
      return {
        ...view,
        status: 'granted',
        decidedAt: e.data.at,
        grantExpiresAt: e.data.grantExpiresAt,
        votes: [...view.votes, { approver: e.data.approver, vote: 'approve', reason: e.data.reason, at: e.data.at }],
      };
    case 'ApprovalDenied':
      return {
        ...view,
        status: 'denied',
        decidedAt: e.data.at,
        votes: [...view.votes, { approver: e.data.approver, vote: 'deny', reason: e.data.reason, at: e.data.at }],
      };
    case 'ApprovalExpired':
      return { ...view, status: 'expired', decidedAt: e.data.at };
    case 'ApprovalCancelled':
      return { ...view, status: 'cancelled', decidedAt: e.data.at, cancelledWhy: e.data.why };
    case 'ApprovalExecuted':
      return { ...view, status: 'executed', executedRequestId: e.data.requestId, executedAt: e.data.at };
    default: {
      const unhandled: never = e;
      return unhandled;
    }
  }
}

/** True when no approver is the requester (same OIDC subject or the same Kubernetes user name). */
export function approversDistinctFromRequester(a: ApprovalView): boolean {
  return a.votes.every((v) => v.approver.subject !== a.requester.subject && v.approver.username !== a.requester.username);
}

/** Seconds from the request for approval to its settlement; undefined while pending. */
export function secondsToDecision(a: ApprovalView): number | undefined {
  if (!a.decidedAt) return undefined;
  return (Date.parse(a.decidedAt) - Date.parse(a.requestedAt)) / 1000;
}
