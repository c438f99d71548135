import { MaskingFailed } from './constants';
import { credentialKeyMatcher, DEFAULT_CREDENTIAL_KEY_ALLOW_LIST, type CredentialKeyMatcher } from './credential-keys';

/** Content detectors, applied in this order to every string value and to every line of text. */
export const DETECTOR_NAMES = Object.freeze([
  'pem-private-key',
  'jwt',
  'github-token',
  'gitlab-token',
  'slack-token',
  'aws-access-key-id',
  'aws-secret-access-key',
  'authorization-header',
  'bearer-token',
  'url-password',
  'connection-string-password',
  'secret-assignment',
  'email',
  'card-number',
] as const);
export type DetectorName = (typeof DETECTOR_NAMES)[number];

/** Rules that are not content detectors; they appear in MaskReport.detectors next to detector names. */
export const STRUCTURAL_RULES = Object.freeze([
  'secret-data',
  'secret-string-data',
  'configmap-key',
  'env-value',
  'command-flag',
  'credential-key',
  'last-applied-configuration',
  'oversized-line',
  'malformed-watch-event',
] as const);
export type StructuralRule = (typeof STRUCTURAL_RULES)[number];
export type MaskRule = DetectorName | StructuralRule;

export const SECRET_DETECTORS: readonly DetectorName[] = Object.freeze(
  DETECTOR_NAMES.filter((d) => d !== 'email' && d !== 'card-number'),
);
export const PII_DETECTORS: readonly DetectorName[] = Object.freeze(['email', 'card-number'] as DetectorName[]);

export interface MaskingProfile {
  name: string;
  /**
   * Apply the Kubernetes structural rules (Secret data, ConfigMap keys, env, flags, last-applied,
   * credential-named fields of any object, Table cells of credential columns).
   */
  structural: boolean;
  /** Content detectors to run on every string value / line of text. */
  detectors: DetectorName[];
  /** ConfigMap `data` / `binaryData` keys whose values are masked whole. */
  configMapKeyPatterns: RegExp[];
  /**
   * Names that make a value secret: `env[].value` (and any `{name, value}` pair), `--flag` names in
   * `command`/`args`, and keys of `key=value` / `key: value` assignments found in text.
   */
  envNamePatterns: RegExp[];
  /**
   * Keys never treated as credential-named although their last word is (`imagePullSecrets`), in any
   * spelling (`image-pull-secrets` is the same entry). See DEFAULT_CREDENTIAL_KEY_ALLOW_LIST.
   */
  credentialKeyAllowList: string[];
}

/** Secret-looking names: the list from the design plus `KEY` / `PWD` / `DSN` as a `-_.`-separated name segment (`SIGNING_KEY`, `tls.key`, `DB_PWD_PROD`). */
export function defaultSecretNamePatterns(): RegExp[] {
  return [/pass(word)?|passwd|secret|token|api[-_]?key|private[-_]?key|credential|auth/i, /(?:^|[-_.])(?:key|pwd|dsn)(?:$|[-_.])/i];
}

function makeProfile(name: string, structural: boolean, detectors: readonly DetectorName[]): MaskingProfile {
  return Object.freeze({
    name,
    structural,
    detectors: Object.freeze([...detectors]) as DetectorName[],
    configMapKeyPatterns: Object.freeze(defaultSecretNamePatterns()) as RegExp[],
    envNamePatterns: Object.freeze(defaultSecretNamePatterns()) as RegExp[],
    credentialKeyAllowList: Object.freeze([...DEFAULT_CREDENTIAL_KEY_ALLOW_LIST]) as string[],
  });
}

/** Structural rules and every secret detector; no PII. */
export const DEFAULT_PROFILE: MaskingProfile = makeProfile('default', true, SECRET_DETECTORS);
/** DEFAULT_PROFILE plus PII: e-mail addresses and Luhn-valid card numbers. */
export const STRICT_PROFILE: MaskingProfile = makeProfile('strict', true, [...SECRET_DETECTORS, ...PII_DETECTORS]);
export const PII_PROFILE: MaskingProfile = STRICT_PROFILE;
/** Only the Kubernetes structural rules; no content detectors. */
export const STRUCTURAL_ONLY_PROFILE: MaskingProfile = makeProfile('structural-only', true, []);

export const PROFILE_NAMES = Object.freeze(['default', 'strict', 'structural-only'] as const);
export type ProfileName = (typeof PROFILE_NAMES)[number];

/** The built-in profile with this name; an unknown name fails closed (MaskingFailed), never a weaker default. */
export function profileFor(name: string): MaskingProfile {
  switch (name) {
    case 'default':
      return DEFAULT_PROFILE;
    case 'strict':
      return STRICT_PROFILE;
    case 'structural-only':
      return STRUCTURAL_ONLY_PROFILE;
    default:
      // The name as asked for (a profile's name, never a value), cut short.
      throw new MaskingFailed(`unknown masking profile "${name.slice(0, 40)}"`);
  }
}

/** A profile prepared for use: validated, regexes stripped of stateful g/y flags. */
export interface CompiledProfile {
  readonly structural: boolean;
  readonly detectors: ReadonlySet<DetectorName>;
  readonly configMapKeyPatterns: readonly RegExp[];
  readonly envNamePatterns: readonly RegExp[];
  readonly credentialKeys: CredentialKeyMatcher;
}

const compiled = new WeakMap<MaskingProfile, CompiledProfile>();

/** A profile without the field (built before it existed) gets the default list. */
function allowList(list: unknown): readonly string[] {
  if (list === undefined) return DEFAULT_CREDENTIAL_KEY_ALLOW_LIST;
  if (!Array.isArray(list) || !list.every((k) => typeof k === 'string')) {
    throw new MaskingFailed('invalid masking profile: credentialKeyAllowList must hold strings');
  }
  return list as string[];
}

function stateless(patterns: unknown, field: string): RegExp[] {
  if (!Array.isArray(patterns)) throw new MaskingFailed(`invalid masking profile: ${field} must be an array`);
  return patterns.map((p) => {
    if (!(p instanceof RegExp)) throw new MaskingFailed(`invalid masking profile: ${field} must hold RegExps`);
    return new RegExp(p.source, p.flags.replace(/[gy]/g, ''));
  });
}

export function compileProfile(profile: MaskingProfile): CompiledProfile {
  const hit = compiled.get(profile);
  if (hit) return hit;
  if (profile === null || typeof profile !== 'object') throw new MaskingFailed('invalid masking profile');
  if (!Array.isArray(profile.detectors)) throw new MaskingFailed('invalid masking profile: detectors must be an array');
  const known = new Set<string>(DETECTOR_NAMES);
  for (const d of profile.detectors) {
    if (!known.has(d)) throw new MaskingFailed('invalid masking profile: unknown detector');
  }
  const c: CompiledProfile = {
    structural: profile.structural !== false, // anything but an explicit false keeps the structural rules
    detectors: new Set(profile.detectors),
    configMapKeyPatterns: stateless(profile.configMapKeyPatterns, 'configMapKeyPatterns'),
    envNamePatterns: stateless(profile.envNamePatterns, 'envNamePatterns'),
    credentialKeys: credentialKeyMatcher(allowList((profile as { credentialKeyAllowList?: unknown }).credentialKeyAllowList)),
  };
  compiled.set(profile, c);
  return c;
}

export function matchesAny(patterns: readonly RegExp[], s: string): boolean {
  return patterns.some((p) => p.test(s));
}
