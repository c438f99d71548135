import { TokenCache, tokenKey } from './token-cache';

describe('TokenCache', () => {
  it('evicts the least recently used entry beyond its bound', () => {
    const cache = new TokenCache<string>(() => 0, 3);
    cache.set('a', 'A', 10);
    cache.set('b', 'B', 10);
    cache.set('c', 'C', 10);
    expect(cache.get('a')).toBe('A'); // a is now most recent
    cache.set('d', 'D', 10);
    expect(cache.size).toBe(3);
    expect(cache.get('b')).toBeUndefined();
    expect(['a', 'c', 'd'].map((k) => cache.get(k))).toEqual(['A', 'C', 'D']);
  });

  it('serves an entry only strictly before its expiry, and drops it after', () => {
    let now = 0;
    const cache = new TokenCache<string>(() => now, 10);
    cache.set('a', 'A', 100);
    now = 99;
    expect(cache.get('a')).toBe('A');
    now = 100;
    expect(cache.get('a')).toBeUndefined();
    expect(cache.size).toBe(0);
    cache.set('b', 'B', 100); // already expired: not stored
    expect(cache.size).toBe(0);
  });

  it('keys by hash, not by token', () => {
    expect(tokenKey('header.payload.sig')).not.toContain('payload');
    expect(tokenKey('x')).toBe(tokenKey('x'));
  });
});
