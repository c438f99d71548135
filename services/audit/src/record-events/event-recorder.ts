import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import type { NatsConnection, Subscription } from 'nats';
import {
  ChaperoneEventSchema,
  ContractViolation,
  parseContract,
  QueueGroups,
  Subjects,
  type ChaperoneEventType,
} from '@chaperone/contracts';
import { decodeJson } from '@chaperone/bus';
import { NATS_CONNECTION, Readiness } from '@chaperone/service-runtime';
import { SeenIds } from './seen-ids';

/**
 * Consumes every evidence event in the audit queue group (replicas share the work), validates it
 * against its contract and counts it once per event id.
 */
@Injectable()
export class EventRecorder implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(EventRecorder.name);
  private readonly seen = new SeenIds(100_000);
  private sub: Subscription | undefined;
  readonly counts = new Map<ChaperoneEventType, number>();
  rejected = 0;

  constructor(
    @Inject(NATS_CONNECTION) private readonly nc: NatsConnection,
    readiness: Readiness,
  ) {
    readiness.add('events-subscription', () => ({ ok: this.sub !== undefined && !this.sub.isClosed() }));
  }

  onApplicationBootstrap(): void {
    this.sub = this.nc.subscribe(Subjects.eventsAll, {
      queue: QueueGroups.audit,
      callback: (err, msg) => {
        if (err) {
          this.logger.error(`events subscription failed: ${err.message}`);
          return;
        }
        this.record(msg.data);
      },
    });
  }

  record(data: Uint8Array): void {
    try {
      const event = parseContract(ChaperoneEventSchema, 'ChaperoneEvent', decodeJson(data));
      if (!this.seen.add(event.eventId)) return;
      this.counts.set(event.type, (this.counts.get(event.type) ?? 0) + 1);
    } catch (e) {
      this.rejected++;
      const why = e instanceof ContractViolation ? e.message : 'payload is not JSON';
      this.logger.warn(`rejected an event: ${why}`);
    }
  }

  onApplicationShutdown(): void {
    this.sub?.unsubscribe();
  }
}
