import { planLeases, type LeaseView, type SeenLease } from './lease-plan';

const TTL = 3000;
const NOW = 100_000;
const fresh = (holder: string, revision = 1): SeenLease => ({ holder, revision, seenAt: NOW - 500 });
const stale = (holder: string, revision = 1): SeenLease => ({ holder, revision, seenAt: NOW - TTL });

function view(leases: Array<SeenLease | undefined>, replicas: Record<string, number> = {}): LeaseView {
  return { leases, replicas: new Map(Object.entries(replicas)) };
}
const plan = (v: LeaseView, me: string, held: number[] = []) => planLeases({ view: v, me, held: new Set(held), now: NOW, ttlMs: TTL });

describe('planLeases (which partitions a replica takes or hands back)', () => {
  it('given a free bucket and no other replica, then it takes every partition', () => {
    const p = plan(view(Array(8).fill(undefined)), 'a');
    expect(p.share).toBe(8);
    expect([...p.take].sort()).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    expect(p.release).toEqual([]);
  });

  it('given another live replica holding every lease, then the newcomer takes nothing and the holder hands back half', () => {
    const all = Array.from({ length: 8 }, () => fresh('a'));
    const replicas = { a: NOW - 200, b: NOW - 100 };
    expect(plan(view(all, replicas), 'b')).toEqual({ take: [], release: [], share: 4 });
    expect(plan(view(all, replicas), 'a', [0, 1, 2, 3, 4, 5, 6, 7])).toEqual({ take: [], release: [7, 6, 5, 4], share: 4 });
  });

  it('given the half handed back, then the newcomer takes exactly those', () => {
    const leases = [...Array.from({ length: 4 }, () => fresh('a')), undefined, undefined, undefined, undefined];
    const p = plan(view(leases, { a: NOW - 200 }), 'b');
    expect([...p.take].sort()).toEqual([4, 5, 6, 7]);
  });

  it('given a replica that stopped renewing ttl ago, then its leases are taken, all of them when it was the only other', () => {
    const leases = [...Array.from({ length: 4 }, () => stale('dead')), ...Array.from({ length: 4 }, () => fresh('b'))];
    const p = plan(view(leases, { dead: NOW - TTL - 1, b: NOW }), 'b', [4, 5, 6, 7]);
    expect(p.share).toBe(8);
    expect([...p.take].sort()).toEqual([0, 1, 2, 3]);
  });

  it('given a lease renewed less than ttl ago, then it is not taken, even by a replica below its share', () => {
    const leases = [{ holder: 'a', revision: 9, seenAt: NOW - TTL + 1 }, undefined];
    expect(plan(view(leases, { a: NOW - TTL + 1 }), 'b').take).toEqual([1]);
  });

  it('given a lease still in its own name that it no longer holds (a renewal that timed out), then it takes it back', () => {
    expect(plan(view([fresh('a'), fresh('b')], { b: NOW }), 'a').take).toEqual([0]);
  });

  it('given three live replicas, then each holds at most ceil(8 / 3) = 3', () => {
    const p = plan(view(Array(8).fill(undefined), { a: NOW, b: NOW, c: NOW }), 'c', [0]);
    expect(p.share).toBe(3);
    expect(p.take).toHaveLength(2);
  });

  it('given two replicas wanting free partitions at once, then they start at different places', () => {
    const free = view(Array(8).fill(undefined), { 'replica-1': NOW, 'replica-2': NOW });
    expect(plan(free, 'replica-1').take[0]).not.toBe(plan(free, 'replica-2').take[0]);
  });
});
