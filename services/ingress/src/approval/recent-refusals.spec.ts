import { RecentRefusals } from './recent-refusals';

describe('RecentRefusals: what kubectl’s SPDY retry of a refused exec is told', () => {
  const denied = { kind: 'approval-denied' as const, approvalId: 'a', by: 'bob', reason: 'no' };

  it('given a refusal remembered for a fingerprint, then the retry within 30 s gets it, later ones do not', () => {
    let now = 1_000;
    const recent = new RecentRefusals(() => now);
    recent.remember('sha256:1', denied);
    expect(recent.recall('sha256:1')).toEqual(denied);
    expect(recent.recall('sha256:2')).toBeUndefined();
    now += 31_000;
    expect(recent.recall('sha256:1')).toBeUndefined();
  });
});
