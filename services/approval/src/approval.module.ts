import { Inject, Injectable, Module, type DynamicModule, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import type { NatsConnection } from 'nats';
import { createAuthenticator, type AuthConfig, type Authenticator } from '@chaperone/auth';
import { busSubjects, type BusSubjects } from '@chaperone/contracts';
import type { EventStore, EventStoreKind } from '@chaperone/event-store';
import { BUS, NATS_CONNECTION, openServiceEventStore, Readiness, ServiceRuntimeModule, type RuntimeOptions } from '@chaperone/service-runtime';
import { ApprovalsController } from './approvers-api/approvals.controller';
import { OpenApiController } from './approvers-api/openapi.controller';
import { approvalEndpoints } from './bus/approval.endpoints';
import { ApprovalRequests } from './bus/approval-requests';
import { ExpiryTimers } from './expiry/expiry-timers';
import { ApprovalLifecycle } from './lifecycle/approval-lifecycle';
import { ReadModelFeed } from './lifecycle/catch-up';
import { publishChanged } from './lifecycle/changed-publisher';
import { ApprovalReadModel } from './lifecycle/read-model';
import { ApprovalMetrics } from './metrics/approval-metrics';
import { AUTHENTICATOR, CLOCK, EVENT_STORE, NEW_ID, type Clock, type NewId } from './tokens';
import { PublicUrl } from './webhooks/public-url';
import { WebhookNotifier, type WebhookOptions } from './webhooks/webhook-notifier';

export interface ApprovalModuleOptions {
  runtime: RuntimeOptions;
  eventStore: EventStoreKind;
  eventStoreConnection?: string | undefined;
  /** How approvers' tokens are verified (the ingress's issuer settings). */
  auth: AuthConfig;
  publicUrl?: string | undefined;
  webhook?: WebhookOptions | undefined;
  clock?: Clock;
}

/**
 * Starts and stops the moving parts in order: the read model is caught up with the event store
 * before the service answers (so pending approvals survive restarts), then followed live, with an
 * expiry timer per pending approval.
 */
@Injectable()
class ApprovalRuntime implements OnModuleInit, OnApplicationShutdown {
  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(NATS_CONNECTION) private readonly nc: NatsConnection,
    @Inject(BUS) private readonly subjects: BusSubjects,
    private readonly readModel: ApprovalReadModel,
    private readonly feed: ReadModelFeed,
    private readonly lifecycle: ApprovalLifecycle,
    private readonly expiry: ExpiryTimers,
    private readonly readiness: Readiness,
    @Inject(WebhookNotifier) private readonly webhook: WebhookNotifier | null,
    @Inject(AUTHENTICATOR) private readonly authenticator: Authenticator,
  ) {}

  async onModuleInit(): Promise<void> {
    this.lifecycle.onStored(publishChanged(this.nc, this.subjects));
    if (this.webhook) this.lifecycle.onStored((stored) => this.webhook?.notify(stored));
    await this.feed.start();
    this.expiry.watch(this.readModel);
    this.readiness.add('approvals', () => ({ ok: this.feed.healthy, detail: `${this.readModel.size} approvals known` }));
  }

  async onApplicationShutdown(): Promise<void> {
    this.expiry.stop();
    await this.feed.stop();
    await this.webhook?.stop();
    this.authenticator.close();
    await this.store.close();
  }
}

/** The approval service: the lifecycle of just-in-time approvals, on the bus and for approvers over HTTP. */
@Module({})
export class ApprovalModule {
  static forRoot(opts: ApprovalModuleOptions): DynamicModule {
    const subjects = busSubjects(opts.runtime.busPrefix);
    return {
      module: ApprovalModule,
      imports: [ServiceRuntimeModule.forRoot(opts.runtime)],
      controllers: [approvalEndpoints(subjects), ApprovalsController, OpenApiController],
      providers: [
        { provide: CLOCK, useValue: opts.clock ?? (() => new Date()) },
        { provide: NEW_ID, useValue: randomUUID },
        { provide: PublicUrl, useValue: new PublicUrl(opts.publicUrl) },
        { provide: AUTHENTICATOR, useFactory: () => createAuthenticator(opts.auth) },
        {
          provide: EVENT_STORE,
          inject: [NATS_CONNECTION, BUS],
          useFactory: (nc: NatsConnection, bus: BusSubjects) =>
            openServiceEventStore(opts, { nc, subjects: bus }),
        },
        { provide: ApprovalReadModel, inject: [EVENT_STORE], useFactory: (store: EventStore) => new ApprovalReadModel(store) },
        {
          provide: ReadModelFeed,
          inject: [EVENT_STORE, ApprovalReadModel],
          useFactory: (store: EventStore, readModel: ApprovalReadModel) => new ReadModelFeed(store, readModel),
        },
        {
          provide: ApprovalLifecycle,
          inject: [EVENT_STORE, ApprovalReadModel, CLOCK, NEW_ID],
          useFactory: (store: EventStore, readModel: ApprovalReadModel, clock: Clock, newId: NewId) =>
            new ApprovalLifecycle(store, readModel, clock, newId),
        },
        {
          provide: ApprovalRequests,
          inject: [ApprovalLifecycle, ApprovalReadModel, CLOCK, PublicUrl],
          useFactory: (lifecycle: ApprovalLifecycle, readModel: ApprovalReadModel, clock: Clock, publicUrl: PublicUrl) =>
            new ApprovalRequests(lifecycle, readModel, clock, publicUrl),
        },
        {
          provide: ExpiryTimers,
          inject: [ApprovalLifecycle, CLOCK],
          useFactory: (lifecycle: ApprovalLifecycle, clock: Clock) => new ExpiryTimers(lifecycle, clock),
        },
        {
          provide: WebhookNotifier,
          inject: [PublicUrl],
          useFactory: (publicUrl: PublicUrl) => (opts.webhook ? new WebhookNotifier(opts.webhook, publicUrl) : null),
        },
        ApprovalMetrics,
        ApprovalRuntime,
      ],
      exports: [ApprovalLifecycle, ApprovalReadModel, PublicUrl, AUTHENTICATOR, CLOCK],
    };
  }
}
