import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import type { NatsConnection } from 'nats';
import type { BusSubjects } from '@chaperone/contracts';
import type { DurableEventPublisher } from '@chaperone/bus';
import type { ChainedEventStore } from '@chaperone/event-store';
import { BUS, EVENTS, NATS_CONNECTION, SERVICE_IDENTITY, type ServiceIdentity } from '@chaperone/service-runtime';
import { PartitionLeases, type Lease } from '../partition-leases/partition-leases';
import { EVENT_STORE, LEASE_TIMING } from '../tokens';
import type { LeaseTiming } from '../partition-leases/lease-plan';
import { ReconcileTerm, type ReconcileOptions } from './reconcile-term';
import { ReplicaLiveness } from './replica-liveness';

export const RECONCILE_OPTIONS = Symbol('RECONCILE_OPTIONS');

/** As PartitionLeases opens it. The checkpoint is rewritten while a replica leads; without one a leader reads the whole store. */
const LEASE_BUCKET_TTL_MS = 60 * 60 * 1000;
/** Pause before a term that could not start (the store unreachable) tries again. */
const RESTART_MS = 2000;

/**
 * Closes the evidence of requests an ingress replica let through and can no longer complete
 * (open-requests.ts). One audit replica leads at a time (a one-partition lease in
 * `<p>-reconciler-lease`, the same lease mechanism as the audit partitions); the others wait to
 * take over. Two leaders for a moment would write the same events (derived ids), stored once.
 */
@Injectable()
export class Reconciler implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('Reconciler');
  private leases: PartitionLeases | undefined;
  private liveness: ReplicaLiveness | undefined;
  private term: ReconcileTerm | undefined;

  constructor(
    @Inject(NATS_CONNECTION) private readonly nc: NatsConnection,
    @Inject(BUS) private readonly subjects: BusSubjects,
    @Inject(EVENT_STORE) private readonly store: ChainedEventStore,
    @Inject(EVENTS) private readonly events: DurableEventPublisher,
    @Inject(SERVICE_IDENTITY) private readonly identity: ServiceIdentity,
    @Inject(LEASE_TIMING) private readonly leaseTiming: LeaseTiming,
    @Inject(RECONCILE_OPTIONS) private readonly options: ReconcileOptions,
  ) {}

  /** Whether this replica leads now. */
  get leading(): boolean {
    return this.term !== undefined;
  }

  async onApplicationBootstrap(): Promise<void> {
    const liveness = (this.liveness = await ReplicaLiveness.open(this.nc, this.subjects));
    const jsm = await this.nc.jetstreamManager();
    const kv = await this.nc.jetstream().views.kv(this.subjects.reconcilerLeaseBucket, { history: 1, ttl: LEASE_BUCKET_TTL_MS });
    this.leases = await PartitionLeases.open(
      this.nc,
      this.subjects,
      this.identity.instance,
      {
        acquired: (lease: Lease) => {
          const term = new ReconcileTerm({
            store: this.store,
            jsm,
            subjects: this.subjects,
            kv,
            liveness,
            publish: (e) => this.events.publish(e),
            valid: () => lease.valid(),
            options: this.options,
            log: this.logger,
          });
          this.term = term;
          const begin = (): void =>
            void term.start().catch((err: unknown) => {
              this.logger.warn(`reconciler could not start (${err instanceof Error ? err.message : String(err)}); trying again in ${RESTART_MS} ms`);
              setTimeout(() => this.term === term && lease.valid() && begin(), RESTART_MS).unref();
            });
          begin();
        },
        released: async () => {
          const term = this.term;
          this.term = undefined;
          await term?.stop();
        },
      },
      { partitions: 1, bucket: this.subjects.reconcilerLeaseBucket, log: this.logger, timing: this.leaseTiming },
    );
  }

  async onApplicationShutdown(): Promise<void> {
    await this.leases?.close();
    this.liveness?.close();
  }
}
