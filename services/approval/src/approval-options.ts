import type { AuthConfig } from '@chaperone/auth';
import type { ConfigOf } from '@chaperone/config';
import { oidcAuthConfig, type RuntimeOptions } from '@chaperone/service-runtime';
import type { ApprovalModuleOptions } from './approval.module';
import type { approvalSettings } from './config';

type ApprovalConfig = ConfigOf<typeof approvalSettings>;

/** Approvers' tokens are verified exactly as the ingress verifies agents'. */
export function authConfig(config: ApprovalConfig): AuthConfig {
  return oidcAuthConfig(config);
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
