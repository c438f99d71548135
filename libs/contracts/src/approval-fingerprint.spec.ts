import { requestFingerprint, type RequestFingerprintParts } from './approval-fingerprint';

const parts: RequestFingerprintParts = {
  subject: 'oidc|agent',
  verb: 'delete',
  path: '/api/v1/namespaces/shop/pods/web-0',
  query: 'gracePeriodSeconds=0',
  bodyDigest: '',
};

describe('requestFingerprint', () => {
  it('is a sha256 digest, the same for the same request', () => {
    expect(requestFingerprint(parts)).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(requestFingerprint({ ...parts })).toBe(requestFingerprint(parts));
  });

  it.each<keyof RequestFingerprintParts>(['subject', 'verb', 'path', 'query', 'bodyDigest'])(
    'changes when the %s changes',
    (key) => {
      expect(requestFingerprint({ ...parts, [key]: `${parts[key]}x` })).not.toBe(requestFingerprint(parts));
    },
  );

  it('cannot be matched by moving text from one part to another', () => {
    const moved = { ...parts, path: `${parts.path}?gracePeriodSeconds=0`, query: '' };
    expect(requestFingerprint(moved)).not.toBe(requestFingerprint(parts));
  });
});
