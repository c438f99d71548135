import { findBursts } from './bursts';

const at = (seconds: number[]) => seconds.map((s) => new Date(Date.UTC(2026, 0, 1, 0, 0, s)).toISOString());
const rule = { threshold: 3, windowSeconds: 10 };

describe('findBursts', () => {
  it('given fewer events than the threshold in every window, then no burst', () => {
    expect(findBursts('a', 'denials', at([0, 11, 22, 33, 44]), rule)).toEqual([]);
  });

  it('given threshold events within the window, then one burst spanning them', () => {
    expect(findBursts('a', 'denials', at([0, 5, 10]), rule)).toEqual([
      { agent: 'a', kind: 'denials', start: at([0])[0], end: at([10])[0], count: 3 },
    ]);
  });

  it('given overlapping qualifying windows, then they merge into one burst; a gap starts another', () => {
    const bursts = findBursts('a', 'secret-reads', at([0, 4, 8, 12, 16, 40, 41, 42]), rule);
    expect(bursts.map((b) => [b.count, b.start, b.end])).toEqual([
      [5, at([0])[0], at([16])[0]],
      [3, at([40])[0], at([42])[0]],
    ]);
  });

  it('given times out of order, then the result is the same as sorted', () => {
    expect(findBursts('a', 'denials', at([10, 0, 5]), rule)).toEqual(findBursts('a', 'denials', at([0, 5, 10]), rule));
  });
});
