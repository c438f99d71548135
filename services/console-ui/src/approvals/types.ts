/** The approvers API's shapes, as the console reads them (services/approval, GET /approvals and /approvals/{id}). */
export type ApprovalStatus = 'pending' | 'granted' | 'denied' | 'expired' | 'cancelled' | 'executed';

export interface Person {
  subject: string;
  username: string;
  groups: string[];
}

export interface ApprovalView {
  approvalId: string;
  status: ApprovalStatus;
  rule: string;
  requester: Person & { agent?: string };
  request: { verb: string; apiGroup: string; resource: string; subresource: string; namespace: string; name: string; path: string };
  reason: string;
  createdAt: string;
  expiresAt: string;
  votes: { approver: Person; reason: string; at: string }[];
  decidedBy?: Person[];
  decisionReason?: string;
  mode?: 'hold' | 'ticket';
  requiredApprovals?: number;
}

export interface Change {
  path: string;
  op: 'add' | 'remove' | 'replace';
  from?: unknown;
  to?: unknown;
}

export interface ApprovalDetail {
  approval: ApprovalView;
  request: { method: string; path: string; query: string; requestId: string; sessionId: string };
  approverGroups: string[];
  body?: { contentType: string; size: number; truncated: boolean; masked: string };
  liveObject?: { truncated: boolean; masked: string };
  diff: { available: true; basis: string; approximated: boolean; note?: string; changes: Change[] } | { available: false; reason: string };
}

export const progress = (a: ApprovalView): string => `${a.votes.length} of ${a.requiredApprovals ?? 1} approval${(a.requiredApprovals ?? 1) === 1 ? '' : 's'}`;
