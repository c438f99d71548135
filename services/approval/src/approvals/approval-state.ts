import type { ApprovalRequested, Approver, CancelReason } from './approval-events';

/** What was asked: the `ApprovalRequested` facts, kept by every state after it. */
export type ApprovalTerms = Omit<ApprovalRequested['data'], 'at'> & { requestedAt: string };

export interface ApprovalVote {
  approver: Approver;
  reason: string;
  at: string;
}

export type ApprovalState =
  | { status: 'none' }
  | { status: 'pending'; terms: ApprovalTerms; votes: ApprovalVote[] }
  | { status: 'granted'; terms: ApprovalTerms; votes: ApprovalVote[]; grantedAt: string; grantExpiresAt: string }
  | { status: 'denied'; terms: ApprovalTerms; votes: ApprovalVote[]; deniedBy: Approver; reason: string; deniedAt: string }
  | { status: 'expired'; terms: ApprovalTerms; votes: ApprovalVote[]; expiredAt: string }
  | { status: 'cancelled'; terms: ApprovalTerms; votes: ApprovalVote[]; why: CancelReason; cancelledAt: string }
  | {
      status: 'executed';
      terms: ApprovalTerms;
      votes: ApprovalVote[];
      grantedAt: string;
      grantExpiresAt: string;
      requestId: string;
      executedAt: string;
    };

export type ApprovalStatus = ApprovalState['status'];

/** The statuses in which an approval is settled (a verdict, an expiry or a cancellation); nothing but execution can follow them. */
export type SettledStatus = Exclude<ApprovalStatus, 'none' | 'pending'>;

export const initialState: ApprovalState = Object.freeze({ status: 'none' });
