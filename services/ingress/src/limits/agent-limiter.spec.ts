import { AgentLimiter } from './agent-limiter';

describe('AgentLimiter', () => {
  let now = 0;
  const limiter = () => new AgentLimiter(() => now);
  beforeEach(() => (now = 1_000_000));

  it('given 2 requests per second with a burst of 2, when 3 arrive at once, then the third is refused and admitted again after half a second', () => {
    const l = limiter();
    const limits = { requestsPerSecond: 2, burst: 2 };
    expect(l.admit('a', limits, { held: false })).toBeUndefined();
    l.release('a', { held: false });
    expect(l.admit('a', limits, { held: false })).toBeUndefined();
    l.release('a', { held: false });
    expect(l.admit('a', limits, { held: false })).toMatchObject({ limit: 'requestsPerSecond', retryAfterSeconds: 1 });
    now += 500;
    expect(l.admit('a', limits, { held: false })).toBeUndefined();
  });

  it('given a limit of 2 in flight, when 2 are running, then a third is refused until one ends', () => {
    const l = limiter();
    const limits = { maxInFlight: 2 };
    expect(l.admit('a', limits, { held: false })).toBeUndefined();
    expect(l.admit('a', limits, { held: false })).toBeUndefined();
    expect(l.admit('a', limits, { held: false })).toMatchObject({ limit: 'maxInFlight' });
    l.release('a', { held: false });
    expect(l.admit('a', limits, { held: false })).toBeUndefined();
  });

  it('given a limit of 1 held approval, when one is held, then another held one is refused but a plain request runs', () => {
    const l = limiter();
    const limits = { maxHeldApprovals: 1 };
    expect(l.admit('a', limits, { held: true })).toBeUndefined();
    expect(l.admit('a', limits, { held: true })).toMatchObject({ limit: 'maxHeldApprovals', retryAfterSeconds: 10 });
    expect(l.admit('a', limits, { held: false })).toBeUndefined();
    l.release('a', { held: true });
    expect(l.admit('a', limits, { held: true })).toBeUndefined();
  });

  it('given two agents, when one is over its rate, then the other is not affected', () => {
    const l = limiter();
    const limits = { requestsPerSecond: 1 };
    expect(l.admit('a', limits, { held: false })).toBeUndefined();
    expect(l.admit('a', limits, { held: false })).toMatchObject({ limit: 'requestsPerSecond' });
    expect(l.admit('b', limits, { held: false })).toBeUndefined();
  });
});
