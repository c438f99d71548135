import type { AuthConfig } from '@chaperone/auth';
import type { ConfigOf } from '@chaperone/config';
import type { RuntimeOptions } from '@chaperone/service-runtime';
import type { ApprovalModuleOptions } from './approval.module';
import type { approvalSettings } from './config';

type ApprovalConfig = ConfigOf<typeof approvalSettings>;

/** Approvers' tokens are verified exactly as the ingress verifies agents'. */
export function authConfig(config: ApprovalConfig): AuthConfig {
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
    claims: { username: config.oidcUsernameClaim, groups: config.oidcGroupsClaim },
    usernamePrefix: config.oidcUsernamePrefix,
  };
}

export function approvalModuleOptions(runtime: RuntimeOptions, config: ApprovalConfig): ApprovalModuleOptions {
  return {
    runtime,
    eventStore: config.eventStore,
    eventStoreConnection: config.eventStoreConnection,
    auth: authConfig(config),
    publicUrl: config.publicUrl,
    webhook: config.webhookUrl ? { url: config.webhookUrl, attempts: config.webhookAttempts } : undefined,
  };
}
