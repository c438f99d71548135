import { redact } from './redact';

describe('redact', () => {
  it('removes bearer tokens but keeps the scheme', () => {
    expect(redact('Authorization: Bearer abc.def-ghi_jkl==')).toBe('Authorization: Bearer [REDACTED]');
  });

  it('removes bare JWTs', () => {
    const jwt = 'eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJhZ2VudCJ9.c2lnbmF0dXJl';
    expect(redact(`token ${jwt} was refused`)).toBe('token [REDACTED] was refused');
  });

  it('removes PEM private keys, even truncated ones', () => {
    expect(redact('key: -----BEGIN PRIVATE KEY-----\nMIIE\n-----END PRIVATE KEY----- ok')).toBe('key: [REDACTED] ok');
    expect(redact('-----BEGIN RSA PRIVATE KEY-----\nMIIE')).toBe('[REDACTED]');
  });

  it('leaves ordinary text alone', () => {
    expect(redact('GET /api/v1/namespaces/default/pods 200')).toBe('GET /api/v1/namespaces/default/pods 200');
  });
});
