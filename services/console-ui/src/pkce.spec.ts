import { createHash, webcrypto } from 'node:crypto';
import { randomToken, s256Challenge, unverifiedClaims } from './pkce';

beforeAll(() => {
  if (!globalThis.crypto) Object.defineProperty(globalThis, 'crypto', { value: webcrypto });
});

describe('PKCE', () => {
  it('derives the S256 challenge: base64url of the SHA-256 of the verifier, unpadded', async () => {
    const verifier = randomToken(48);
    const challenge = await s256Challenge(verifier);
    expect(challenge).toBe(createHash('sha256').update(verifier).digest('base64url'));
    expect(challenge).toMatch(/^[A-Za-z0-9_-]{43}$/);
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
