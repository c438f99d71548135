import type { AuthConfig } from '@chaperone/auth';
import { setting, type ConfigOf } from '@chaperone/config';

/**
 * The OIDC settings every service that verifies tokens reads: the ingress (agents), the approval
 * service (approvers) and the reports service (compliance readers) trust the same issuer, so one
 * spec keeps names, defaults and meaning identical across them.
 */
export function oidcSettings() {
  return {
    oidcIssuer: setting.string('CHAPERONE_OIDC_ISSUER', 'the exact `iss` of tokens, e.g. https://issuer.example.com'),
    oidcAudiences: setting.list('CHAPERONE_OIDC_AUDIENCES', 'comma-separated accepted `aud` values', 'chaperone'),
    oidcJwksUrl: setting.optional('CHAPERONE_OIDC_JWKS_URL', 'a JWKS URL (default: OIDC discovery from the issuer)'),
    oidcJwksFile: setting.optional('CHAPERONE_OIDC_JWKS_FILE', 'path to a static JWKS file (overrides URL and discovery)'),
    oidcAlgorithms: setting.list('CHAPERONE_OIDC_ALGORITHMS', 'comma-separated JWS algorithms to accept', 'RS256,ES256,EdDSA'),
    oidcClockSkewSec: setting.int('CHAPERONE_OIDC_CLOCK_SKEW_SECONDS', 'seconds of clock skew tolerated for exp/nbf', '30', 0, 600),
    oidcUsernameClaim: setting.string('CHAPERONE_OIDC_USERNAME_CLAIM', 'claim holding the Kubernetes user name', 'sub'),
    oidcUsernamePrefix: setting.string('CHAPERONE_OIDC_USERNAME_PREFIX', 'prefix added to user names (like --oidc-username-prefix)', ''),
    oidcGroupsClaim: setting.string('CHAPERONE_OIDC_GROUPS_CLAIM', 'claim holding the groups', 'groups'),
  };
}

export type OidcConfig = ConfigOf<ReturnType<typeof oidcSettings>>;

/** The authenticator's configuration from the OIDC settings; `claims` adds service-specific claim names. */
export function oidcAuthConfig(config: OidcConfig, claims: NonNullable<AuthConfig['claims']> = {}): AuthConfig {
  return {
    issuer: config.oidcIssuer,
    audiences: config.oidcAudiences,
    algorithms: config.oidcAlgorithms,
    clockToleranceSec: config.oidcClockSkewSec,
    jwks: config.oidcJwksFile
      ? { kind: 'file', path: config.oidcJwksFile }
      : config.oidcJwksUrl
        ? { kind: 'url', url: config.oidcJwksUrl }
        : { kind: 'discovery' },
    claims: { username: config.oidcUsernameClaim, groups: config.oidcGroupsClaim, ...claims },
    usernamePrefix: config.oidcUsernamePrefix,
  };
}
