import { Module, type DynamicModule } from '@nestjs/common';
import type { NatsConnection } from 'nats';
import type { BusSubjects } from '@chaperone/contracts';
import { BUS, Metrics, NATS_CONNECTION, openServiceEventStore, ServiceRuntimeModule, type RuntimeOptions } from '@chaperone/service-runtime';
import { CHECKPOINT_OPTIONS, Checkpointer, type CheckpointOptions } from './checkpoints/checkpointer';
import { EventRecorder } from './record-events/event-recorder';
import type { EventStoreKind } from '@chaperone/event-store';
import { registerAuditMetrics } from './metrics/audit-metrics';
import { BATCH_LINGER_MS, EVENT_STORE, LEASE_TIMING } from './tokens';
import { DEFAULT_LEASE_TIMING, type LeaseTiming } from './partition-leases/lease-plan';
import { RECONCILE_OPTIONS, Reconciler } from './reconcile/reconciler';
import { DEFAULT_RECONCILE_OPTIONS, type ReconcileOptions } from './reconcile/reconcile-term';

/**
 * The audit service: moves every evidence event from the bus into the event store, exactly once,
 * hash-chained per stream; signs checkpoints of the chain heads; and closes, with an explicit
 * RequestOutcomeUnknown, requests an ingress replica let through and never completed.
 */
@Module({})
export class AuditModule {
  static forRoot(opts: {
    runtime: RuntimeOptions;
    eventStore: EventStoreKind;
    eventStoreConnection: string | undefined;
    /** Default: no checkpoints. */
    checkpoints?: CheckpointOptions;
    /** Default: DEFAULT_RECONCILE_OPTIONS. */
    reconcile?: ReconcileOptions;
    /** Default: DEFAULT_LEASE_TIMING. */
    leases?: LeaseTiming;
    /** Wait after a partition's first message for more to batch with it; default 0 (tests). */
    batchLingerMs?: number;
  }): DynamicModule {
    return {
      module: AuditModule,
      imports: [ServiceRuntimeModule.forRoot(opts.runtime)],
      providers: [
        {
          provide: EVENT_STORE,
          inject: [NATS_CONNECTION, BUS, Metrics],
          useFactory: async (nc: NatsConnection, subjects: BusSubjects, metrics: Metrics) => {
            const store = await openServiceEventStore(opts, { nc, subjects });
            registerAuditMetrics(metrics.meter, { nc, subjects, store });
            return store;
          },
        },
        { provide: LEASE_TIMING, useValue: opts.leases ?? DEFAULT_LEASE_TIMING },
        { provide: BATCH_LINGER_MS, useValue: opts.batchLingerMs ?? 0 },
        EventRecorder,
        { provide: CHECKPOINT_OPTIONS, useValue: opts.checkpoints ?? { privateKey: null, intervalMs: 60_000 } },
        Checkpointer,
        { provide: RECONCILE_OPTIONS, useValue: opts.reconcile ?? DEFAULT_RECONCILE_OPTIONS },
        Reconciler,
      ],
    };
  }
}
