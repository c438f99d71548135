import type { ApprovalStatus, ApprovalView, ClaimGrantReply } from '@chaperone/contracts';
import { waitForDecision, type WaitDeps } from './wait-for-decision';

function view(status: ApprovalStatus, extra: Partial<ApprovalView> = {}): ApprovalView {
  return {
    approvalId: 'a1',
    status,
    rule: 'r',
    requester: { subject: 's', username: 'u', agent: 'a', groups: [] },
    request: { verb: 'delete', apiGroup: '', resource: 'pods', subresource: '', namespace: 'default', name: 'x', path: '/p' },
    reason: '',
    createdAt: '',
    expiresAt: '',
    votes: [],
    ...extra,
  };
}

/** The approval service as a script of answers: each poll takes the next (the last repeats). */
function scripted(answers: (ApprovalView | Error)[], claim: ClaimGrantReply | Error = { outcome: 'run' }) {
  const calls = { get: 0, claim: 0, unwatched: false };
  let hint: () => void = () => undefined;
  const deps: WaitDeps = {
    get: () => {
      const a = answers[Math.min(calls.get++, answers.length - 1)];
      return a instanceof Error || a === undefined ? Promise.reject(a ?? new Error('none')) : Promise.resolve(a);
    },
    claim: () => {
      calls.claim++;
      return claim instanceof Error ? Promise.reject(claim) : Promise.resolve(claim);
    },
    watch: (_id, onHint) => {
      hint = onHint;
      return () => (calls.unwatched = true);
    },
    now: () => Date.now(),
    pollMs: 10,
  };
  return { deps, calls, hint: () => hint() };
}

describe('waitForDecision: holding a request until a human decides', () => {
  const never = new AbortController().signal;
  const later = () => Date.now() + 5000;

  it('given pending, then granted: claims the grant and runs', async () => {
    const s = scripted([view('pending'), view('pending'), view('granted')]);
    await expect(waitForDecision('a1', later(), never, s.deps)).resolves.toEqual({ kind: 'run' });
    expect(s.calls.claim).toBe(1);
    expect(s.calls.unwatched).toBe(true);
  });

  it('given the approval service unreachable for a while, then keeps waiting and runs once it answers granted', async () => {
    const s = scripted([new Error('down'), new Error('down'), view('granted')]);
    await expect(waitForDecision('a1', later(), never, s.deps)).resolves.toEqual({ kind: 'run' });
  });

  it('given a grant whose claim is refused (used by another request), then it does not run', async () => {
    const s = scripted([view('granted')], { outcome: 'not-granted', status: 'executed', reason: 'already used' });
    await expect(waitForDecision('a1', later(), never, s.deps)).resolves.toEqual({ kind: 'not-granted', reason: 'already used' });
  });

  it('given a denial, then reports who denied and why', async () => {
    const s = scripted([view('denied', { decidedBy: [{ subject: 'b', username: 'bob', groups: [] }], decisionReason: 'not during the freeze' })]);
    await expect(waitForDecision('a1', later(), never, s.deps)).resolves.toEqual({ kind: 'denied', by: 'bob', reason: 'not during the freeze' });
  });

  it('given expiry, then expired; given no answer until the deadline, then timed out (never run)', async () => {
    await expect(waitForDecision('a1', later(), never, scripted([view('expired')]).deps)).resolves.toEqual({ kind: 'expired' });
    const down = scripted([new Error('down')]);
    await expect(waitForDecision('a1', Date.now() + 50, never, down.deps)).resolves.toEqual({ kind: 'timed-out' });
    expect(down.calls.claim).toBe(0);
  });

  it('given the client leaves, then stops at once', async () => {
    const gone = new AbortController();
    const s = scripted([view('pending')]);
    s.deps.pollMs = 60_000;
    const waiting = waitForDecision('a1', later(), gone.signal, s.deps);
    setTimeout(() => gone.abort(), 20);
    await expect(waiting).resolves.toEqual({ kind: 'client-gone' });
  });

  it('wakes on a change hint instead of waiting for the next poll', async () => {
    const s = scripted([view('pending'), view('granted')]);
    s.deps.pollMs = 60_000;
    const started = Date.now();
    const waiting = waitForDecision('a1', Date.now() + 120_000, never, s.deps);
    setTimeout(() => s.hint(), 20);
    await expect(waiting).resolves.toEqual({ kind: 'run' });
    expect(Date.now() - started).toBeLessThan(30_000);
  });
});
