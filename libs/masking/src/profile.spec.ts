import {
  DEFAULT_CREDENTIAL_KEY_ALLOW_LIST,
  DEFAULT_PROFILE,
  DETECTOR_NAMES,
  MASK,
  MASKED_BASE64,
  MaskingFailed,
  PII_PROFILE,
  STRICT_PROFILE,
  STRUCTURAL_ONLY_PROFILE,
  emptyReport,
  maskObject,
  mergeReports,
  profileFor,
} from './index';

describe('profiles', () => {
  it('exposes the markers', () => {
    expect(MASK).toBe('***MASKED***');
    expect(MASKED_BASE64).toBe(Buffer.from(MASK).toString('base64'));
    expect(MASKED_BASE64).toMatch(/^[A-Za-z0-9+/]+={0,2}$/);
  });

  it('default has every secret detector and no PII; strict adds PII', () => {
    expect(DEFAULT_PROFILE.structural).toBe(true);
    expect(DEFAULT_PROFILE.detectors).not.toContain('email');
    expect(DEFAULT_PROFILE.detectors).not.toContain('card-number');
    expect(new Set([...DEFAULT_PROFILE.detectors, 'email', 'card-number'])).toEqual(new Set(DETECTOR_NAMES));
    expect(new Set(STRICT_PROFILE.detectors)).toEqual(new Set(DETECTOR_NAMES));
    expect(PII_PROFILE).toBe(STRICT_PROFILE);
    expect(STRUCTURAL_ONLY_PROFILE).toMatchObject({ structural: true, detectors: [] });
  });

  it('profileFor knows the built-in names and fails closed on others', () => {
    expect(profileFor('default')).toBe(DEFAULT_PROFILE);
    expect(profileFor('strict')).toBe(STRICT_PROFILE);
    expect(profileFor('structural-only')).toBe(STRUCTURAL_ONLY_PROFILE);
    expect(() => profileFor('none')).toThrow(MaskingFailed);
    expect(() => profileFor('')).toThrow(MaskingFailed);
    // The error names what was asked for, cut short (a name, never a value).
    expect(() => profileFor('lenient')).toThrow('unknown masking profile "lenient"');
    expect(() => profileFor('x'.repeat(100))).toThrow(`unknown masking profile "${'x'.repeat(40)}"`);
  });

  it('built-in profiles cannot be changed by callers', () => {
    expect(Object.isFrozen(DEFAULT_PROFILE)).toBe(true);
    expect(() => (DEFAULT_PROFILE.detectors as string[]).push('x')).toThrow(TypeError);
  });

  it('the default secret-name patterns match the documented names', () => {
    const named = (s: string): boolean => DEFAULT_PROFILE.envNamePatterns.some((p) => p.test(s));
    for (const n of ['PASSWORD', 'db_pass', 'passwd', 'CLIENT_SECRET', 'token', 'API_KEY', 'api-key', 'private_key', 'CREDENTIALS', 'AUTH_HEADER', 'STRIPE_KEY', 'DB_DSN']) {
      expect({ n, named: named(n) }).toEqual({ n, named: true });
    }
    for (const n of ['LOG_LEVEL', 'DB_HOST', 'PORT', 'keyboard', 'MONKEY_COUNT']) {
      expect({ n, named: named(n) }).toEqual({ n, named: false });
    }
  });
});

describe('credential key allow-list', () => {
  it('built-in profiles carry the default list, frozen', () => {
    for (const p of [DEFAULT_PROFILE, STRICT_PROFILE, STRUCTURAL_ONLY_PROFILE]) {
      expect(p.credentialKeyAllowList).toEqual([...DEFAULT_CREDENTIAL_KEY_ALLOW_LIST]);
      expect(Object.isFrozen(p.credentialKeyAllowList)).toBe(true);
    }
  });

  it('a list that is not strings is refused; a profile without one gets the default', () => {
    expect(() => maskObject({}, { ...DEFAULT_PROFILE, credentialKeyAllowList: [1 as never] })).toThrow(MaskingFailed);
    const { credentialKeyAllowList: _omit, ...older } = DEFAULT_PROFILE;
    const out = maskObject({ kind: 'Pod', spec: { imagePullSecrets: ['regcred'], password: 'p-1' } }, older as typeof DEFAULT_PROFILE).value;
    expect(out).toEqual({ kind: 'Pod', spec: { imagePullSecrets: ['regcred'], password: MASK } });
  });
});

describe('reports', () => {
  it('merge counts, detectors and distinct paths', () => {
    const a = { count: 2, paths: ['a', 'b'], detectors: { jwt: 2 } };
    const b = { count: 1, paths: ['b'], detectors: { 'secret-data': 1 } };
    expect(mergeReports(a, b, emptyReport())).toEqual({ count: 3, paths: ['a', 'b'], detectors: { jwt: 2, 'secret-data': 1 } });
  });
});
