import { SeenIds } from './seen-ids';

describe('SeenIds', () => {
  it('accepts an id once', () => {
    const seen = new SeenIds(10);
    expect(seen.add('a')).toBe(true);
    expect(seen.add('a')).toBe(false);
  });

  it('forgets the oldest id beyond its capacity', () => {
    const seen = new SeenIds(2);
    seen.add('a');
    seen.add('b');
    seen.add('c');
    expect(seen.add('b')).toBe(false);
    expect(seen.add('a')).toBe(true);
  });
});
