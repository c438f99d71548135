import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import type { NatsConnection } from 'nats';
import { ChaperoneEventSchema, ContractViolation, parseContract, type BusSubjects, type ChaperoneEventType } from '@chaperone/contracts';
import { decodeJson } from '@chaperone/bus';
import { StoreUnavailable, type EventStore } from '@chaperone/event-store';
import { BUS, NATS_CONNECTION, Readiness } from '@chaperone/service-runtime';
import { EVENT_STORE } from '../tokens';
import { consumePartitions, ensurePartitionConsumers, type PartitionHandler } from './partition-consumers';
import { storeEvent } from './store-event';

/**
 * Moves evidence from the bus into the event store: every event validated against its contract,
 * appended to its session stream exactly once (idempotent by event id), acknowledged only after the
 * store has it. A store outage leaves events on the bus (retried); a malformed event is rejected
 * and counted, never stored.
 */
@Injectable()
export class EventRecorder implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(EventRecorder.name);
  private consumers: { stop(): Promise<void> } | undefined;
  private storeHealthy = true;
  readonly stored = new Map<ChaperoneEventType, number>();
  duplicates = 0;
  rejected = 0;

  constructor(
    @Inject(NATS_CONNECTION) private readonly nc: NatsConnection,
    @Inject(BUS) private readonly subjects: BusSubjects,
    @Inject(EVENT_STORE) private readonly store: EventStore,
    readiness: Readiness,
  ) {
    readiness.add('event-consumers', () => ({ ok: this.consumers !== undefined }));
    readiness.add('event-store', () => ({ ok: this.storeHealthy }));
  }

  async onApplicationBootstrap(): Promise<void> {
    await ensurePartitionConsumers(await this.nc.jetstreamManager(), this.subjects);
    this.consumers = await consumePartitions(this.nc, this.subjects, this.handle);
  }

  readonly handle: PartitionHandler = async (data, info) => {
    let event;
    try {
      event = parseContract(ChaperoneEventSchema, 'ChaperoneEvent', decodeJson(data));
    } catch (e) {
      this.rejected++;
      this.logger.error(`rejected bus message ${info.streamSequence}: ${e instanceof ContractViolation ? e.message : 'not JSON'}`);
      return 'reject';
    }
    try {
      const outcome = await storeEvent(this.store, event, { busSequence: info.streamSequence, partition: info.partition });
      this.storeHealthy = true;
      if (outcome === 'duplicate') this.duplicates++;
      else this.stored.set(event.type, (this.stored.get(event.type) ?? 0) + 1);
      return 'ack';
    } catch (e) {
      this.storeHealthy = !(e instanceof StoreUnavailable);
      this.logger.warn(`event ${event.eventId} not stored yet (will retry): ${e instanceof Error ? e.message : String(e)}`);
      return 'retry';
    }
  };

  async onApplicationShutdown(): Promise<void> {
    await this.consumers?.stop();
    await this.store.close();
  }
}
