import { RecentIds } from './recent-ids';

describe('RecentIds (what a partition writer stored last)', () => {
  it('given ids added, then each is known, once', () => {
    const recent = new RecentIds(3);
    recent.add('a');
    recent.add('b');
    recent.add('a');
    expect([recent.has('a'), recent.has('b'), recent.has('c'), recent.size]).toEqual([true, true, false, 2]);
  });

  it('given more ids than it holds, then the oldest are forgotten first, in the order they came', () => {
    const recent = new RecentIds(3);
    for (const id of ['a', 'b', 'c', 'd']) recent.add(id);
    expect(['a', 'b', 'c', 'd'].map((id) => recent.has(id))).toEqual([false, true, true, true]);
    for (const id of ['e', 'f']) recent.add(id);
    expect(['b', 'c', 'd', 'e', 'f'].map((id) => recent.has(id))).toEqual([false, false, true, true, true]);
    expect(recent.size).toBe(3);
  });

  it('given no room at all, then it refuses to be made', () => {
    expect(() => new RecentIds(0)).toThrow(RangeError);
  });
});
