import { Module, type DynamicModule } from '@nestjs/common';
import { createAuthenticator, type AuthConfig } from '@chaperone/auth';
import { runtimeOptions, ServiceRuntimeModule } from '@chaperone/service-runtime';
import { ApprovalClient } from './approval/approval-client';
import { ApprovalGate } from './approval/approval-gate';
import { PolicyClient } from './decide/policy-client';
import { MaskingClient } from './masking/masking-client';
import { GatewayServer } from './gateway/gateway.server';
import { Intercept } from './gateway/intercept';
import { resolveUpstream } from './upstream/resolve-upstream';
import { upstreamSource } from './upstream/upstream-from-config';
import { AUTHENTICATOR, INGRESS_CONFIG, UPSTREAM, type IngressConfig } from './tokens';

export function authConfig(config: IngressConfig): AuthConfig {
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
    claims: {
      username: config.oidcUsernameClaim,
      groups: config.oidcGroupsClaim,
      agent: config.oidcAgentClaim,
      session: config.oidcSessionClaim,
    },
    usernamePrefix: config.oidcUsernamePrefix,
  };
}

/** The ingress: the Kubernetes API surface, admission (auth, parse, policy) and forwarding. */
@Module({})
export class IngressModule {
  static forRoot(config: IngressConfig): DynamicModule {
    return {
      module: IngressModule,
      imports: [
        ServiceRuntimeModule.forRoot(runtimeOptions('ingress', config, { events: true })),
      ],
      providers: [
        { provide: INGRESS_CONFIG, useValue: config },
        { provide: AUTHENTICATOR, useFactory: () => createAuthenticator(authConfig(config)) },
        { provide: UPSTREAM, useFactory: () => resolveUpstream(upstreamSource(config)) },
        PolicyClient,
        MaskingClient,
        ApprovalClient,
        ApprovalGate,
        Intercept,
        GatewayServer,
      ],
    };
  }
}
