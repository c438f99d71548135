import { HeldLease } from './held-lease';

const timing = { renewMs: 1000, ttlMs: 3000 };

describe('HeldLease (may the holder still act?)', () => {
  let now = 0;
  const lease = () => new HeldLease(3, 17, 0, timing, () => now);
  beforeEach(() => (now = 0));

  it('given a lease written at 0, then it may act until ttl - renew, a renewal period before the others may take it', () => {
    const l = lease();
    now = 1999;
    expect(l.valid()).toBe(true);
    now = 2000;
    expect(l.valid()).toBe(false);
  });

  it('given renewals, then each extends it from when the renewal was sent', () => {
    const l = lease();
    now = 1500;
    l.renewed(18, 1400);
    now = 3399;
    expect(l.valid()).toBe(true);
    expect(l.revision).toBe(18);
  });

  it('given a lapse seen by the writer, when a renewal sent before it is answered after it, then the lease stays lapsed', () => {
    const l = lease();
    now = 2100;
    expect(l.valid()).toBe(false);
    l.renewed(18, 1900);
    expect(l.valid()).toBe(false);
  });

  it('given it was ended (lost or handed back), then it is not valid, whatever the clock', () => {
    const l = lease();
    l.end();
    expect(l.valid()).toBe(false);
  });
});
