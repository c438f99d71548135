import type { ApprovalLifecycleEvent } from './approval-events';
import type { ApprovalState, ApprovalStatus } from './approval-state';
import { IllegalApprovalTransition } from './errors';

type StateIn<S extends ApprovalStatus> = Extract<ApprovalState, { status: S }>;

/**
 * Folds one recorded event into the state. Events are facts that `decide` allowed, so an event the
 * state cannot follow means a corrupt stream: it throws rather than guess (fail closed).
 */
export function evolve(state: ApprovalState, event: ApprovalLifecycleEvent): ApprovalState {
  switch (event.type) {
    case 'ApprovalRequested': {
      expect(state, 'none', event);
      const { at, ...terms } = event.data;
      return { status: 'pending', terms: { ...terms, requestedAt: at }, votes: [] };
    }
    case 'ApprovalVoteRecorded': {
      const pending = expect(state, 'pending', event);
      const { approver, reason, at } = event.data;
      return { ...pending, votes: [...pending.votes, { approver, reason, at }] };
    }
    case 'ApprovalGranted': {
      const { terms, votes } = expect(state, 'pending', event);
      const { approver, reason, at, grantExpiresAt } = event.data;
      return {
        status: 'granted',
        terms,
        votes: [...votes, { approver, reason, at }],
        grantedAt: at,
        grantExpiresAt,
      };
    }
    case 'ApprovalDenied': {
      const { terms, votes } = expect(state, 'pending', event);
      const { approver, reason, at } = event.data;
      return { status: 'denied', terms, votes, deniedBy: approver, reason, deniedAt: at };
    }
    case 'ApprovalExpired': {
      const { terms, votes } = expect(state, 'pending', event);
      return { status: 'expired', terms, votes, expiredAt: event.data.at };
    }
    case 'ApprovalCancelled': {
      const { terms, votes } = expect(state, 'pending', event);
      return { status: 'cancelled', terms, votes, why: event.data.why, cancelledAt: event.data.at };
    }
    case 'ApprovalExecuted': {
      const granted = expect(state, 'granted', event);
      const { requestId, at } = event.data;
      return { ...granted, status: 'executed', requestId, executedAt: at };
    }
    default: {
      const unhandled: never = event;
      throw new Error(`unhandled approval event ${(unhandled as { type: string }).type}`);
    }
  }
}

/** Folds a whole stream, oldest first. */
export function evolveAll(events: readonly ApprovalLifecycleEvent[], from: ApprovalState): ApprovalState {
  return events.reduce(evolve, from);
}

function expect<S extends ApprovalStatus>(state: ApprovalState, status: S, event: ApprovalLifecycleEvent): StateIn<S> {
  const sameStream = state.status === 'none' || state.terms.approvalId === event.data.approvalId;
  if (state.status !== status || !sameStream) {
    throw new IllegalApprovalTransition(event.data.approvalId, state.status, event.type);
  }
  return state as StateIn<S>;
}
