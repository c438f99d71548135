import { setting } from '@chaperone/config';
import { commonSettings, oidcSettings } from '@chaperone/service-runtime';

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

  ...oidcSettings(),
};
