import { Inject, Injectable, Logger } from '@nestjs/common';
import { EventNotRecorded, type DurableEventPublisher } from '@chaperone/bus';
import type { ChaperoneEvent } from '@chaperone/contracts';
import { EVENTS } from '@chaperone/service-runtime';
import { GatewayFailure } from '../errors/gateway-errors';

/** Stores evidence events on the bus: durably before the caller goes on, or in the background. */
@Injectable()
export class EvidenceWriter {
  private readonly logger = new Logger('Evidence');

  constructor(@Inject(EVENTS) private readonly events: DurableEventPublisher) {}

  /** Resolves once the bus has stored every event; a failure is the typed `bus-unavailable` (503). */
  async durably(...events: ChaperoneEvent[]): Promise<void> {
    try {
      await Promise.all(events.map((e) => this.events.publish(e)));
    } catch (e) {
      throw new GatewayFailure({ kind: 'bus-unavailable', message: e instanceof EventNotRecorded ? e.message : 'publish failed' });
    }
  }

  /** Stores events without holding up the caller; failures are logged (never the events' content). */
  inBackground(...events: ChaperoneEvent[]): void {
    this.durably(...events).catch((e: unknown) => {
      const why = e instanceof GatewayFailure && e.error.kind === 'bus-unavailable' ? e.error.message : String(e);
      this.logger.error(`${events.map((ev) => ev.type).join('+')} for request ${events[0]?.requestId ?? '?'} was not recorded: ${why}`);
    });
  }
}
