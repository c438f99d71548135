import { streamFor } from './stream-name';

describe('streamFor', () => {
  it('keeps a safe session id readable', () => {
    expect(streamFor('tok-0123abcd')).toBe('session-tok-0123abcd');
  });

  it('hashes ids with characters a stream name cannot carry, stably and distinctly', () => {
    const a = streamFor('sess.with/odd chars');
    expect(a).toMatch(/^session-h[0-9a-f]{40}$/);
    expect(streamFor('sess.with/odd chars')).toBe(a);
    expect(streamFor('sess.with/odd chars!')).not.toBe(a);
  });

  it('puts events without a session in one stream', () => {
    expect(streamFor('')).toBe('unauthenticated');
  });
});
