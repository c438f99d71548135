import { AuthenticationError } from './errors';
import { DEFAULT_CLAIMS, identityFromClaims } from './identity-from-claims';

const base = { iss: 'https://issuer.example', sub: 'alice', iat: 1, jti: 'j' };
const reasonOf = (fn: () => unknown): string | undefined => {
  try {
    fn();
  } catch (err) {
    return err instanceof AuthenticationError ? err.reason : 'other';
  }
  return undefined;
};

describe('identityFromClaims', () => {
  it('deduplicates groups and derives a session id from iss, sub, iat, jti', () => {
    const a = identityFromClaims({ ...base, groups: ['g', 'g', 'h'] }, { claims: DEFAULT_CLAIMS });
    expect(a.identity.groups).toEqual(['g', 'h']);
    const b = identityFromClaims({ ...base, jti: 'k' }, { claims: DEFAULT_CLAIMS });
    expect(a.sessionId).not.toBe(b.sessionId);
    expect(identityFromClaims({ ...base }, { claims: DEFAULT_CLAIMS }).sessionId).toBe(a.sessionId);
  });

  it.each([
    [{ sub: '' }, 'missing-claim'],
    [{ sub: 7 }, 'missing-claim'],
    [{ sub: ' alice' }, 'malformed'],
    [{ sub: 'al\u2028ice' }, 'malformed'],
    [{ groups: { a: 1 } }, 'malformed'],
    [{ groups: Array.from({ length: 257 }, (_, i) => `g${i}`) }, 'malformed'],
    [{ groups: [''] }, 'malformed'],
    [{ agent: '' }, 'malformed'],
    [{ sid: 'x'.repeat(300) }, 'malformed'],
    [{ sub: '\u7528\u6237' }, 'malformed'],
    [{ groups: ['agents', 'team-\u{1F916}'] }, 'malformed'],
    [{ sub: 'system:admin' }, 'reserved-identity'],
    [{ sub: 'system:serviceaccount:kube-system:default' }, 'reserved-identity'],
    [{ groups: ['agents', 'system:masters'] }, 'reserved-identity'],
  ])('refuses %j with %s', (patch, reason) => {
    expect(reasonOf(() => identityFromClaims({ ...base, ...patch }, { claims: DEFAULT_CLAIMS }))).toBe(reason);
  });

  it('refuses a reserved name created by the configured prefix', () => {
    expect(reasonOf(() => identityFromClaims({ ...base, sub: 'masters' }, { claims: DEFAULT_CLAIMS, usernamePrefix: 'system:' }))).toBe(
      'reserved-identity',
    );
  });

  it('accepts Latin-1 names such as accented user names', () => {
    expect(identityFromClaims({ ...base, sub: 'ren\u00e9e' }, { claims: DEFAULT_CLAIMS }).identity.username).toBe('ren\u00e9e');
  });

  it('checks the length of the prefixed username', () => {
    expect(reasonOf(() => identityFromClaims({ ...base, sub: 'a'.repeat(510) }, { claims: DEFAULT_CLAIMS, usernamePrefix: 'oidc:' }))).toBe('malformed');
  });
});
