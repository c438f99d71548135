import type { ApprovalView, ClaimGrantReply } from '@chaperone/contracts';

/** How a held request's wait ended. Only `run` lets it through. */
export type WaitOutcome =
  | { kind: 'run' }
  | { kind: 'denied'; by: string; reason: string }
  | { kind: 'expired' }
  | { kind: 'cancelled' }
  /** The grant was there but could not be used for this request (claim refused). */
  | { kind: 'not-granted'; reason: string }
  /** Our own deadline passed without a decision we could read (e.g. the approval service is down). */
  | { kind: 'timed-out' }
  | { kind: 'client-gone' };

export interface WaitDeps {
  get(approvalId: string): Promise<ApprovalView>;
  /** Claims the grant for this request; idempotent for the same request. */
  claim(): Promise<ClaimGrantReply>;
  /** Subscribes to change hints; returns the unsubscribe. */
  watch(approvalId: string, onHint: () => void): () => void;
  now(): number;
  /** How often `get` is polled, hints or not (core NATS hints can be lost). */
  pollMs: number;
}

/**
 * Holds a request until its approval is decided. It polls the approval service and wakes early on
 * a change hint. While the service cannot be reached it keeps waiting (polls fail) until
 * `deadline`; nothing but a claimed grant (`run`) ever lets the request through.
 */
export async function waitForDecision(approvalId: string, deadline: number, signal: AbortSignal, deps: WaitDeps): Promise<WaitOutcome> {
  let wake: () => void = () => undefined;
  let hinted = false;
  const unwatch = deps.watch(approvalId, () => {
    hinted = true;
    wake();
  });
  try {
    for (;;) {
      if (signal.aborted) return { kind: 'client-gone' };
      const view = await deps.get(approvalId).catch(() => undefined);
      if (signal.aborted) return { kind: 'client-gone' };
      const settled = view ? await settle(view, deps) : undefined;
      if (settled) return settled;
      const left = deadline - deps.now();
      if (left <= 0) return { kind: 'timed-out' };
      if (hinted) {
        // A change arrived while we were asking: look again at once.
        hinted = false;
        continue;
      }
      await new Promise<void>((resolve) => {
        const done = () => {
          clearTimeout(timer);
          signal.removeEventListener('abort', done);
          resolve();
        };
        const timer = setTimeout(done, Math.min(deps.pollMs, left));
        wake = () => {
          hinted = false;
          done();
        };
        signal.addEventListener('abort', done);
      });
    }
  } finally {
    unwatch();
  }
}

/** The outcome a view settles, or undefined to keep waiting. */
async function settle(view: ApprovalView, deps: WaitDeps): Promise<WaitOutcome | undefined> {
  switch (view.status) {
    case 'pending':
      return undefined;
    // Executed: possibly by this very request (a claim whose reply was lost); the claim is
    // idempotent per request, so asking again tells.
    case 'granted':
    case 'executed': {
      const claimed = await deps.claim().catch(() => undefined);
      if (!claimed) return undefined; // unreachable: try again on the next tick
      return claimed.outcome === 'run' ? { kind: 'run' } : { kind: 'not-granted', reason: claimed.reason };
    }
    case 'denied':
      return {
        kind: 'denied',
        by: (view.decidedBy ?? []).map((a) => a.username).join(', '),
        reason: view.decisionReason ?? '',
      };
    case 'expired':
      return { kind: 'expired' };
    case 'cancelled':
      return { kind: 'cancelled' };
    default: {
      const unhandled: never = view.status;
      throw new Error(`unhandled approval status ${String(unhandled)}`);
    }
  }
}
