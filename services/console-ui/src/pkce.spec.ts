import { webcrypto } from 'node:crypto';
import { randomToken, s256Challenge, unverifiedClaims } from './pkce';

beforeAll(() => {
  if (!globalThis.crypto) Object.defineProperty(globalThis, 'crypto', { value: webcrypto });
});

describe('PKCE', () => {
  it('derives the RFC 7636 appendix B challenge from its verifier', async () => {
    expect(await s256Challenge('dBjftJeZ4CVP-mJ92QCGWTOIuO2eoYv-Jmqa3X1kUgk')).toBe('E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM');
  });

  it('makes verifiers of allowed characters and length, different each time', () => {
    const a = randomToken();
    expect(a).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(randomToken()).not.toBe(a);
  });

  it('reads claims for labels, and nothing from a malformed token', () => {
    const payload = Buffer.from(JSON.stringify({ sub: 'alice', groups: ['approvers'] })).toString('base64url');
    expect(unverifiedClaims(`x.${payload}.y`)).toEqual({ sub: 'alice', groups: ['approvers'] });
    expect(unverifiedClaims('garbage')).toEqual({});
  });
});
