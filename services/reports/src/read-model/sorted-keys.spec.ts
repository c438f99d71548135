import { SortedKeys } from './sorted-keys';

function contents(k: SortedKeys): [number, string][] {
  return Array.from({ length: k.size }, (_, i) => [k.keyAt(i), k.idAt(i)]);
}

/** Deterministic pairs out of order, with repeated keys (ties ordered by id). */
function pairs(n: number): [number, string][] {
  let x = 12345;
  const next = () => (x = (x * 1103515245 + 12345) % 2 ** 31);
  return Array.from({ length: n }, (_, i) => [next() % 500, `id-${(next() % 100_000).toString(36)}-${i}`]);
}

describe('sorted keys', () => {
  it('given pairs in any order, when filled in bulk and sealed, then they are in the order inserts one by one give', () => {
    const one = new SortedKeys();
    const bulk = new SortedKeys().unsealed();
    for (const [key, id] of pairs(3000)) {
      one.insert(key, id);
      bulk.insert(key, id);
    }
    bulk.seal();
    expect(contents(bulk)).toEqual(contents(one));
    expect(bulk.range(100, 200)).toEqual(one.range(100, 200));
  });

  it('given a sealed bulk fill, then inserts and removes go on in order', () => {
    const bulk = new SortedKeys().unsealed();
    for (const [key, id] of pairs(50)) bulk.insert(key, id);
    bulk.seal();
    bulk.insert(-1, 'first');
    bulk.remove(bulk.keyAt(10), bulk.idAt(10));
    expect(bulk.idAt(0)).toBe('first');
    const keys = contents(bulk).map(([k]) => k);
    expect(keys).toEqual([...keys].sort((a, b) => a - b));
    expect(bulk.size).toBe(50);
  });

  it('given a bulk fill not sealed yet, then a remove is refused', () => {
    const bulk = new SortedKeys().unsealed();
    bulk.insert(1, 'a');
    expect(() => bulk.remove(1, 'a')).toThrow(/bulk/);
  });
});
