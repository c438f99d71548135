import { MaskingHints } from './masking-hints';

describe('masking hints', () => {
  it('given nothing learned, then there is no hint', () => {
    expect(new MaskingHints().profileFor('k')).toBeUndefined();
  });

  it('given a masked decision, then its profile is the hint; given an unmasked one after it, then there is none', () => {
    const hints = new MaskingHints();
    hints.learn('k', 'strict');
    expect(hints.profileFor('k')).toBe('strict');
    hints.learn('k', undefined);
    expect(hints.profileFor('k')).toBeUndefined();
    expect(hints.size).toBe(0);
  });

  it('given more kinds than it holds, then the least recently used is dropped first', () => {
    const hints = new MaskingHints(2);
    hints.learn('a', 'default');
    hints.learn('b', 'default');
    expect(hints.profileFor('a')).toBe('default'); // a is now the most recently used
    hints.learn('c', 'default');
    expect(hints.profileFor('b')).toBeUndefined();
    expect(hints.profileFor('a')).toBe('default');
    expect(hints.profileFor('c')).toBe('default');
    expect(hints.size).toBe(2);
  });
});
