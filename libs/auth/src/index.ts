export {
  createAuthenticator,
  parseAuthorizationHeader,
  DEFAULT_CACHE_MAX_AGE_MS,
  DEFAULT_COOLDOWN_MS,
  MAX_TOKEN_LENGTH,
  type AuthConfig,
  type Authenticated,
  type Authenticator,
  type AuthenticatorDeps,
} from './authenticator';
export { AuthConfigError, AuthenticationError, type AuthFailureReason } from './errors';
export { DEFAULT_CLAIMS, LIMITS, type ClaimNames } from './identity-from-claims';
export type { JwksConfig } from './jwks-source';
export {
  createLocalIssuer,
  type LocalIssuer,
  type LocalIssuerAlg,
  type LocalIssuerOptions,
  type ServedIssuer,
  type SignOptions,
} from './testing/local-issuer';
export { serveDemoLogin, type DemoLogin, type DemoLoginOptions, type DemoUser } from './testing/demo-login';
