import { setting, type ConfigOf } from '@chaperone/config';
import { commonSettings, oidcSettings } from '@chaperone/service-runtime';
import { resolve } from 'node:path';

/**
 * The console service: serves the web console's built assets and passes its API calls, with the
 * signed-in user's own token, to the approvers API and the reports API. It keeps no state, so any
 * number of replicas can sit behind one load balancer. Console and health share one listener
 * (CHAPERONE_HEALTH_HOST / CHAPERONE_HEALTH_PORT, default 9408).
 */
export const consoleSettings = {
  ...commonSettings(9408),
  // Tokens are verified here only for the live stream; every other call is checked by the API it reaches.
  ...oidcSettings(),
  approvalUrl: setting.string('CHAPERONE_CONSOLE_APPROVAL_URL', 'base URL of the approvers API (the approval service)', 'http://127.0.0.1:9403'),
  reportsUrl: setting.string('CHAPERONE_CONSOLE_REPORTS_URL', 'base URL of the reports API (the reports service)', 'http://127.0.0.1:9405'),
  authorizeUrl: setting.optional('CHAPERONE_CONSOLE_OIDC_AUTHORIZE_URL', "the identity provider's authorization endpoint (authorization-code flow with PKCE)"),
  tokenUrl: setting.optional('CHAPERONE_CONSOLE_OIDC_TOKEN_URL', "the identity provider's token endpoint (it must allow the console's origin: CORS)"),
  clientId: setting.string('CHAPERONE_CONSOLE_OIDC_CLIENT_ID', 'the OAuth client id of the console (a public client: no secret)', 'chaperone-console'),
  scope: setting.string('CHAPERONE_CONSOLE_OIDC_SCOPE', 'the scopes the console asks for', 'openid profile groups'),
  approverGroups: setting.list('CHAPERONE_CONSOLE_APPROVER_GROUPS', 'comma-separated groups shown the approvals inbox (the approvers API decides what they may do)', 'approvers'),
  complianceGroups: setting.list('CHAPERONE_CONSOLE_COMPLIANCE_GROUPS', 'comma-separated groups shown sessions, reports and evidence (as CHAPERONE_REPORTS_GROUPS)', 'compliance'),
  assetsDir: {
    ...setting.string('CHAPERONE_CONSOLE_ASSETS_DIR', 'directory of the built console (index.html, assets/)', resolve(__dirname, '..', '..', 'console-ui', 'dist')),
    shownDefault: '`services/console-ui/dist` of the checkout',
  },
  upstreamTimeoutMs: setting.int('CHAPERONE_CONSOLE_UPSTREAM_TIMEOUT_MS', 'milliseconds an API call may take before the console answers 504', '30000', 100, 600_000),
};

export type ConsoleConfig = ConfigOf<typeof consoleSettings>;
