import type { ApprovalSnapshot } from '../../approvals/approvals-client';

/** What an agent should do next, by status. */
const NEXT: Record<string, string> = {
  pending: 'Waiting for a human reviewer: call wait_for_approval.',
  granted: 'Approved: repeat the identical call now; it runs exactly once.',
  executed: 'Approved, and the approved request has already run (once).',
  denied: 'Denied: do not repeat the call.',
  expired: 'Nobody reviewed it in time: the request was not sent. Ask again only if it is still needed.',
  cancelled: 'Withdrawn (the held request went away): the request was not sent.',
};

/** An approval's state as the agent reads it, and the same as structured content. */
export function describeApproval(s: ApprovalSnapshot): { text: string; structured: Record<string, unknown> } {
  const a = s.approval;
  const votes = a.votes.length;
  const needed = a.requiredApprovals ?? 1;
  const reviewers = a.decidedBy?.length ? ` by ${a.decidedBy.map((d) => d.username).join(', ')}` : '';
  const lines = [
    `approval ${a.approvalId}: ${a.status.toUpperCase()}${reviewers}${a.decisionReason ? `: ${a.decisionReason}` : ''}`,
    `request: ${s.request.method} ${s.request.path}${s.request.query ? `?${s.request.query}` : ''} (rule "${a.rule}")`,
    `votes: ${votes} of ${needed}; requested ${a.createdAt}; expires ${a.expiresAt}${a.grantExpiresAt ? `; grant usable until ${a.grantExpiresAt}` : ''}`,
    NEXT[a.status] ?? '',
  ];
  return {
    text: lines.filter(Boolean).join('\n'),
    structured: {
      approvalId: a.approvalId,
      status: a.status,
      rule: a.rule,
      request: { method: s.request.method, path: s.request.path, query: s.request.query },
      votes,
      requiredApprovals: needed,
      createdAt: a.createdAt,
      expiresAt: a.expiresAt,
      ...(a.decidedBy ? { decidedBy: a.decidedBy.map((d) => d.username) } : {}),
      ...(a.decisionReason !== undefined ? { decisionReason: a.decisionReason } : {}),
      ...(a.grantExpiresAt ? { grantExpiresAt: a.grantExpiresAt } : {}),
    },
  };
}
