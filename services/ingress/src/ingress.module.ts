import { Module, type DynamicModule } from '@nestjs/common';
import { createAuthenticator, type AuthConfig } from '@chaperone/auth';
import { BUS, NATS_CONNECTION, oidcAuthConfig, openServiceBlobStore, runtimeOptions, ServiceRuntimeModule } from '@chaperone/service-runtime';
import type { BusSubjects } from '@chaperone/contracts';
import type { NatsConnection } from 'nats';
import { Recorder } from './recording/recorder';
import { ApprovalClient } from './approval/approval-client';
import { ApprovalGate } from './approval/approval-gate';
import { PolicyClient } from './evaluate/policy-client';
import { MaskingClient } from './masking-client/masking-client';
import { Authenticate } from './authenticate/authenticate';
import { HoldForApproval } from './approval/hold-for-approval';
import { Complete } from './complete/complete';
import { RecordAndEvaluate } from './evaluate/record-and-evaluate';
import { EnforceLimits } from './limits/enforce-limits';
import { EvidenceWriter } from './evidence/evidence-writer';
import { Forward } from './forward/forward';
import { ReplicaHeartbeat } from './liveness/replica-heartbeat';
import { StreamingSessions } from './sessions/streaming-sessions';
import { MaskAhead } from './masking/mask-ahead';
import { OpenMasking } from './masking/open-masking';
import { PlanMasking } from './masking/plan-masking';
import { HandlerChain } from './pipeline/handler-chain';
import { IngressMetrics } from './metrics/ingress-metrics';
import { Refuse } from './pipeline/refuse';
import { RequestInfoStage } from './request-info/request-info';
import { AnswerReview } from './review/answer-review';
import { GatewayServer } from './server/gateway.server';
import { resolveUpstream } from './upstream/resolve-upstream';
import { upstreamSource } from './upstream/upstream-from-config';
import { AUTHENTICATOR, BLOB_STORE, INGRESS_CONFIG, UPSTREAM, type IngressConfig } from './tokens';

export function authConfig(config: IngressConfig): AuthConfig {
  return oidcAuthConfig(config, { agent: config.oidcAgentClaim, session: config.oidcSessionClaim });
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
        {
          provide: BLOB_STORE,
          inject: [NATS_CONNECTION, BUS],
          useFactory: (nc: NatsConnection, subjects: BusSubjects) => openServiceBlobStore(config, { nc, subjects }),
        },
        Recorder,
        PolicyClient,
        MaskingClient,
        ApprovalClient,
        ApprovalGate,
        EvidenceWriter,
        Authenticate,
        RequestInfoStage,
        RecordAndEvaluate,
        AnswerReview,
        EnforceLimits,
        PlanMasking,
        HoldForApproval,
        MaskAhead,
        OpenMasking,
        StreamingSessions,
        Forward,
        Complete,
        IngressMetrics,
        Refuse,
        HandlerChain,
        GatewayServer,
        ReplicaHeartbeat,
      ],
    };
  }
}
