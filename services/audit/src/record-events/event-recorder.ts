import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import type { NatsConnection } from 'nats';
import type { BusSubjects, ChaperoneEventType } from '@chaperone/contracts';
import type { ChainedEventStore } from '@chaperone/event-store';
import { BUS, NATS_CONNECTION, Readiness, SERVICE_IDENTITY, type ServiceIdentity } from '@chaperone/service-runtime';
import { PartitionLeases, type Lease } from '../partition-leases/partition-leases';
import { BATCH_LINGER_MS, EVENT_STORE, LEASE_TIMING } from '../tokens';
import type { LeaseTiming } from '../partition-leases/lease-plan';
import { PartitionWriter, type RecorderTally } from './partition-writer';

/**
 * Moves evidence from the bus into the event store: every event validated against its contract,
 * appended to its session stream exactly once (idempotent by event id), in bus order, acknowledged
 * only after the store has it. Each event partition is written by the one replica holding its
 * lease (partition-leases/), in batches. A store outage leaves events on the bus (retried, the
 * partition waits); a malformed message is rejected and counted, never stored.
 */
@Injectable()
export class EventRecorder implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(EventRecorder.name);
  private leases: PartitionLeases | undefined;
  private readonly writers = new Map<number, PartitionWriter>();
  private readonly tally: RecorderTally = { stored: new Map(), duplicates: 0, rejected: 0, storeHealthy: true };

  constructor(
    @Inject(NATS_CONNECTION) private readonly nc: NatsConnection,
    @Inject(BUS) private readonly subjects: BusSubjects,
    @Inject(EVENT_STORE) private readonly store: ChainedEventStore,
    @Inject(SERVICE_IDENTITY) private readonly identity: ServiceIdentity,
    @Inject(LEASE_TIMING) private readonly leaseTiming: LeaseTiming,
    @Inject(BATCH_LINGER_MS) private readonly lingerMs: number,
    readiness: Readiness,
  ) {
    readiness.add('event-consumers', () => ({ ok: this.leases !== undefined, detail: `partitions ${this.partitions.join(',') || 'none'}` }));
    readiness.add('event-store', () => ({ ok: this.tally.storeHealthy }));
  }

  /** Events stored, by type. */
  get stored(): ReadonlyMap<ChaperoneEventType, number> {
    return this.tally.stored;
  }
  /** Events not stored again because the store had them (or they came twice in one batch). */
  get duplicates(): number {
    return this.tally.duplicates;
  }
  /** Bus messages refused. */
  get rejected(): number {
    return this.tally.rejected;
  }
  /** Partitions this replica writes now. */
  get partitions(): number[] {
    return this.leases?.partitions ?? [];
  }

  async onApplicationBootstrap(): Promise<void> {
    const deps = { nc: this.nc, subjects: this.subjects, store: this.store, tally: this.tally, log: this.logger, lingerMs: this.lingerMs };
    this.leases = await PartitionLeases.open(
      this.nc,
      this.subjects,
      this.identity.instance,
      {
        acquired: (lease: Lease) => void this.writers.set(lease.partition, new PartitionWriter(lease, deps)),
        released: async (partition: number) => {
          const writer = this.writers.get(partition);
          this.writers.delete(partition);
          await writer?.stop();
        },
      },
      { log: this.logger, timing: this.leaseTiming },
    );
  }

  async onApplicationShutdown(): Promise<void> {
    await this.leases?.close();
    await this.store.close();
  }
}
