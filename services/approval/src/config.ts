import { setting } from '@chaperone/config';
import { commonSettings } from '@chaperone/service-runtime';

/**
 * Every knob of the approval service. The OIDC settings carry the same names and meaning as the
 * ingress's: approvers authenticate against the same issuer as agents.
 */
export const approvalSettings = {
  ...commonSettings(9403),
  eventStore: setting.oneOf('CHAPERONE_EVENT_STORE', ['jetstream', 'eventstoredb'] as const, 'jetstream'),
  eventStoreConnection: setting.optional('EVENTSTORE_CONNECTION_STRING', 'an EventStoreDB connection string, e.g. esdb://eventstore:2113?tls=false', {
    secret: true,
  }),

  publicUrl: setting.optional(
    'CHAPERONE_APPROVAL_PUBLIC_URL',
    'the URL approvers reach the approvers API at, used in links (default: http://127.0.0.1:<the health port>)',
  ),
  webhookUrl: setting.optional('CHAPERONE_APPROVAL_WEBHOOK_URL', 'a URL that receives a Slack-compatible JSON POST when an approval is requested and decided', {
    secret: true,
  }),
  webhookAttempts: setting.int('CHAPERONE_APPROVAL_WEBHOOK_ATTEMPTS', 'attempts per webhook notification (exponential backoff from 500 ms)', '6', 1, 20),

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
