import type {
  ApprovalCancelled,
  ApprovalDenied,
  ApprovalExecuted,
  ApprovalExpired,
  ApprovalGranted,
  ApprovalLifecycleEvent,
  ApprovalRequested,
  ApprovalVoteRecorded,
  Approver,
} from './approval-events';
import type {
  ApprovalContext,
  ApprovalLifecycleCommand,
  Approve,
  Cancel,
  Deny,
  Expire,
  MarkExecuted,
  RequestApproval,
} from './approval-commands';
import type { ApprovalState, ApprovalTerms } from './approval-state';
import {
  AlreadySettled,
  AlreadyExecuted,
  ApprovalAlreadyRequested,
  ApprovalNotFound,
  DuplicateVote,
  FingerprintMismatch,
  GrantExpired,
  InvalidApprovalRequest,
  NotAnApprover,
  NotGranted,
  NotYetExpired,
  ReasonRequired,
  SelfApprovalRefused,
} from './errors';

type Pending = Extract<ApprovalState, { status: 'pending' }>;
type Existing = Exclude<ApprovalState, { status: 'none' }>;

const FINGERPRINT = /^sha256:[0-9a-f]{64}$/;

/**
 * Decides what a command means for one approval, given its current state: the events to append,
 * or a typed `ApprovalError`. Pure: the time comes from `ctx`; nothing is read or written.
 *
 * Rules: the first settlement (granted, denied, expired, cancelled) wins and every later
 * verdict, expiry or cancellation is `AlreadySettled`; one deny by an authorised approver ends the approval; a grant
 * needs `requiredApprovals` distinct approvers, none of them the requester; a grant runs its exact
 * request (same fingerprint) at most once, before the grant expires.
 */
export function decide(
  command: ApprovalLifecycleCommand,
  state: ApprovalState,
  ctx: ApprovalContext,
): ApprovalLifecycleEvent[] {
  switch (command.type) {
    case 'RequestApproval':
      return [requestApproval(command, state, ctx)];
    case 'Approve':
      return [approve(command, state, ctx)];
    case 'Deny':
      return [deny(command, state, ctx)];
    case 'Expire':
      return [expire(command, state, ctx)];
    case 'Cancel':
      return [cancel(command, state, ctx)];
    case 'MarkExecuted':
      return [markExecuted(command, state, ctx)];
    default: {
      const unhandled: never = command;
      throw new Error(`unhandled approval command ${(unhandled as { type: string }).type}`);
    }
  }
}

function requestApproval(command: RequestApproval, state: ApprovalState, { now }: ApprovalContext): ApprovalRequested {
  const { data } = command;
  if (state.status !== 'none') throw new ApprovalAlreadyRequested(data.approvalId);
  const problem = problemWith(data);
  if (problem !== undefined) throw new InvalidApprovalRequest(data.approvalId, problem);
  if (data.requireReason && isBlank(data.reason)) throw new ReasonRequired(data.approvalId, 'requester');
  const { requireReason: _requireReason, expiresInSeconds, ...terms } = data;
  return {
    type: 'ApprovalRequested',
    data: {
      ...structuredClone(terms),
      at: now.toISOString(),
      expiresAt: after(now, expiresInSeconds),
    },
  };
}

function approve(command: Approve, state: ApprovalState, { now }: ApprovalContext): ApprovalVoteRecorded | ApprovalGranted {
  const { approvalId, approver, reason } = command.data;
  const { terms, votes } = requireUnsettled(state, approvalId, now);
  requireAuthorisedReviewer(terms, approver);
  if (isBlank(reason)) throw new ReasonRequired(approvalId, 'approver');
  if (votes.some((vote) => samePerson(vote.approver, approver))) throw new DuplicateVote(approvalId);
  const vote = { approvalId, at: now.toISOString(), approver: copyApprover(approver), reason };
  if (votes.length + 1 < terms.requiredApprovals) return { type: 'ApprovalVoteRecorded', data: vote };
  return { type: 'ApprovalGranted', data: { ...vote, grantExpiresAt: after(now, terms.grantTtlSeconds) } };
}

function deny(command: Deny, state: ApprovalState, { now }: ApprovalContext): ApprovalDenied {
  const { approvalId, approver, reason } = command.data;
  const { terms } = requireUnsettled(state, approvalId, now);
  requireAuthorisedReviewer(terms, approver);
  if (isBlank(reason)) throw new ReasonRequired(approvalId, 'approver');
  // An approver who voted to approve may still deny: a deny only ever makes things safer.
  return { type: 'ApprovalDenied', data: { approvalId, at: now.toISOString(), approver: copyApprover(approver), reason } };
}

function expire(command: Expire, state: ApprovalState, { now }: ApprovalContext): ApprovalExpired {
  const { approvalId } = command.data;
  const existing = requireExisting(state, approvalId);
  // Only a pending approval expires, so timers racing on several replicas append one event.
  if (existing.status !== 'pending') throw new AlreadySettled(approvalId, existing.status);
  if (now.getTime() < Date.parse(existing.terms.expiresAt)) throw new NotYetExpired(approvalId, existing.terms.expiresAt);
  return { type: 'ApprovalExpired', data: { approvalId, at: now.toISOString() } };
}

function cancel(command: Cancel, state: ApprovalState, { now }: ApprovalContext): ApprovalCancelled {
  const { approvalId, why } = command.data;
  requireUnsettled(state, approvalId, now);
  return { type: 'ApprovalCancelled', data: { approvalId, at: now.toISOString(), why } };
}

function markExecuted(command: MarkExecuted, state: ApprovalState, { now }: ApprovalContext): ApprovalExecuted {
  const { approvalId, requestId, requestFingerprint } = command.data;
  const existing = requireExisting(state, approvalId);
  if (existing.status !== 'granted' && existing.status !== 'executed') throw new NotGranted(approvalId, existing.status);
  if (requestFingerprint !== existing.terms.requestFingerprint) throw new FingerprintMismatch(approvalId);
  if (existing.status === 'executed') throw new AlreadyExecuted(approvalId);
  if (now.getTime() >= Date.parse(existing.grantExpiresAt)) throw new GrantExpired(approvalId, existing.grantExpiresAt);
  return { type: 'ApprovalExecuted', data: { approvalId, at: now.toISOString(), requestId } };
}

function requireExisting(state: ApprovalState, approvalId: string): Existing {
  if (state.status === 'none' || state.terms.approvalId !== approvalId) throw new ApprovalNotFound(approvalId);
  return state;
}

/** Pending and not past its deadline: a decision after `expiresAt` is late even if no timer fired yet. */
function requireUnsettled(state: ApprovalState, approvalId: string, now: Date): Pending {
  const existing = requireExisting(state, approvalId);
  if (existing.status !== 'pending') throw new AlreadySettled(approvalId, existing.status);
  if (now.getTime() >= Date.parse(existing.terms.expiresAt)) throw new AlreadySettled(approvalId, 'expired');
  return existing;
}

function requireAuthorisedReviewer(terms: ApprovalTerms, approver: Approver): void {
  if (samePerson(terms.requester, approver)) throw new SelfApprovalRefused(terms.approvalId);
  if (!approver.groups.some((group) => terms.approverGroups.includes(group))) {
    throw new NotAnApprover(terms.approvalId, terms.approverGroups);
  }
}

/** Same token subject or same Kubernetes user name: either is enough to be the same party. */
function samePerson(a: Pick<Approver, 'subject' | 'username'>, b: Pick<Approver, 'subject' | 'username'>): boolean {
  return a.subject === b.subject || a.username === b.username;
}

function problemWith(data: RequestApproval['data']): string | undefined {
  if (data.approvalId.length === 0) return 'approvalId is empty';
  if (!FINGERPRINT.test(data.requestFingerprint)) return 'requestFingerprint must be sha256:<64 hex digits>';
  if (data.approverGroups.length === 0 || data.approverGroups.some(isBlank)) {
    return 'approverGroups must list at least one non-empty group';
  }
  if (!Number.isInteger(data.requiredApprovals) || data.requiredApprovals < 1) {
    return `requiredApprovals must be an integer ≥ 1, got ${data.requiredApprovals}`;
  }
  if (!isPositiveSeconds(data.expiresInSeconds)) return `expiresInSeconds must be > 0, got ${data.expiresInSeconds}`;
  if (!isPositiveSeconds(data.grantTtlSeconds)) return `grantTtlSeconds must be > 0, got ${data.grantTtlSeconds}`;
  return undefined;
}

function isPositiveSeconds(value: number): boolean {
  return Number.isFinite(value) && value > 0;
}

function isBlank(text: string): boolean {
  return text.trim().length === 0;
}

function after(now: Date, seconds: number): string {
  return new Date(now.getTime() + seconds * 1000).toISOString();
}

function copyApprover(approver: Approver): Approver {
  return { subject: approver.subject, username: approver.username, groups: [...approver.groups] };
}
