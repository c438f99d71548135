import type { ApprovalView, Approver } from '@chaperone/contracts';
import type { KnownApproval } from './read-model';

/** The wire view of an approval (ApprovalView): what the gateway polls and approvers see first. */
export function toView(approvalId: string, state: KnownApproval): ApprovalView {
  const { terms, votes } = state;
  const view: ApprovalView = {
    approvalId,
    status: state.status,
    rule: terms.rule,
    requester: terms.requester,
    request: terms.request,
    reason: terms.reason,
    createdAt: terms.requestedAt,
    expiresAt: terms.expiresAt,
    votes: votes.map((v) => ({ approver: v.approver, reason: v.reason, at: v.at })),
    mode: terms.mode,
    requiredApprovals: terms.requiredApprovals,
  };
  switch (state.status) {
    case 'pending':
    case 'expired':
    case 'cancelled':
      return view;
    case 'granted':
    case 'executed':
      return {
        ...view,
        decidedBy: votes.map((v): Approver => v.approver),
        decisionReason: votes.at(-1)?.reason ?? '',
        grantExpiresAt: state.grantExpiresAt,
      };
    case 'denied':
      return { ...view, decidedBy: [state.deniedBy], decisionReason: state.reason };
    default: {
      const unhandled: never = state;
      throw new Error(`unhandled approval status ${(unhandled as { status: string }).status}`);
    }
  }
}
