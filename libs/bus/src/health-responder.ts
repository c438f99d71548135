import type { NatsConnection, Subscription } from 'nats';
import type { BusSubjects, HealthReply, ServiceName } from '@chaperone/contracts';
import { encodeJson } from './codec';

/**
 * Answer `chaperone.health.<service>` pings. No queue group: an operator's request with
 * multiple replies sees every replica.
 */
export function respondToHealth(
  nc: NatsConnection,
  subjects: BusSubjects,
  service: ServiceName,
  instance: string,
  details: () => HealthReply['details'] = () => ({}),
): Subscription {
  return nc.subscribe(subjects.health(service), {
    callback: (_err, msg) => {
      const reply: HealthReply = { service, instance, status: 'ok', details: details() };
      msg.respond(encodeJson(reply));
    },
  });
}
