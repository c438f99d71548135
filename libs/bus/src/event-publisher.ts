import { headers, type NatsConnection } from 'nats';
import { Subjects, type ChaperoneEvent } from '@chaperone/contracts';
import { encodeJson } from './codec';

/** The NATS header JetStream deduplicates on; set to the event id so a re-publish is stored once. */
export const MSG_ID_HEADER = 'Nats-Msg-Id';

/** Publishes evidence events on their subject (Subjects.event(type)). */
export class EventPublisher {
  constructor(private readonly nc: NatsConnection) {}

  publish(event: ChaperoneEvent): void {
    const h = headers();
    h.set(MSG_ID_HEADER, event.eventId);
    this.nc.publish(Subjects.event(event.type), encodeJson(event), { headers: h });
  }
}
