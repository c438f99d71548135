import fc from 'fast-check';
import { TextEngine } from './detectors';
import { DEFAULT_PROFILE, DETECTOR_NAMES, STRICT_PROFILE, type DetectorName, type MaskingProfile } from './index';
import { compileProfile } from './profile';
import { formattedSecret } from './testing/arbitraries';

/** The engine without its trigger pre-checks: every line goes through every detector. */
class Unfiltered extends TextEngine {
  override mayFire(): boolean {
    return true;
  }

  protected override fires(): boolean {
    return true;
  }
}

const only = (d: DetectorName): MaskingProfile => ({ ...STRICT_PROFILE, name: `only-${d}`, detectors: [d] });
const PROFILES: MaskingProfile[] = [DEFAULT_PROFILE, STRICT_PROFILE, ...DETECTOR_NAMES.map(only)];

/** Pieces near every detector's edge: keywords in any case, separators, markers, digits. */
const fragment = fc.oneof(
  formattedSecret.map((f) => f.text),
  fc.constantFrom(
    'Bearer', 'bearer', 'BEARER\t', 'Authorization', 'proxy-AUTHORIZATION', 'Password', 'PWD', 'pwd =', 'secret_access_key', 'SecretAccessKey',
    'ghp_', 'github_pat_', 'xoxb-', 'glpat-', 'eyJ', 'AKIA', 'ASIA', '-----BEGIN RSA PRIVATE KEY-----', '-----END PRIVATE KEY-----',
    '-----BEGIN CERTIFICATE-----', '://', 'user:pw@', '@', '=', ':', ' ', '\t', '\n', '\r\n', '--token', '-p', ';', '"', "'",
    '4111 1111 1111 1111', '4111-1111-1111-1111', '1234567890123', 'a@b.example.com', 'x', 'ok', '***MASKED***',
  ),
  fc.string({ maxLength: 12 }),
  fc.stringMatching(/^[A-Za-z0-9+/=_.-]{1,30}$/),
);
const text = fc.array(fragment, { maxLength: 10 }).map((parts) => parts.join(''));

function run(engine: TextEngine, lines: string[], asValue: boolean): { out: string[]; hits: string[] } {
  const hits: string[] = [];
  if (asValue) return { out: [engine.maskValue(lines.join('\n'), (rule, line) => hits.push(`${rule}@${line}`))], hits };
  return { out: lines.map((l, i) => engine.maskLine(l, (rule) => hits.push(`${rule}@${i}`))), hits };
}

describe('detector triggers', () => {
  it('never change what the detectors do: same output, same hits, with and without the pre-checks', () => {
    fc.assert(
      fc.property(fc.array(text, { minLength: 1, maxLength: 4 }), fc.constantFrom(...PROFILES), fc.boolean(), (lines, profile, asValue) => {
        const c = compileProfile(profile);
        expect(run(new TextEngine(c), lines, asValue)).toEqual(run(new Unfiltered(c), lines, asValue));
      }),
      { numRuns: 2000 },
    );
  });

  it('skip plain Kubernetes strings', () => {
    const e = new TextEngine(compileProfile(STRICT_PROFILE));
    for (const s of ['orders-7d9c5b-x2x', 'Running', 'True', '10.0.3.17', '5f0c9a4e-3b2d-4c1e-9f8a-7b6c5d4e3f2a', '500m', 'prod']) expect(e.mayFire(s)).toBe(false);
    for (const s of ['password=x', 'Bearer abc', 'a@b.example.com', 'ghp_x', '--token abc']) expect(e.mayFire(s)).toBe(true);
  });
});
