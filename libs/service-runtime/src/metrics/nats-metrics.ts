import type { Meter } from '@opentelemetry/api';
import { Events, type NatsConnection } from 'nats';

/**
 * The state of a service's NATS connection: `chaperone.nats.connection.status` (1 connected, 0
 * disconnected or closed; every request of a service goes through NATS, so 0 means it fails closed)
 * and `chaperone.nats.reconnects` (times the connection came back). Follows nats.js status events.
 */
export function registerNatsMetrics(meter: Meter, nc: NatsConnection): void {
  let connected = !nc.isClosed();
  const reconnects = meter.createCounter('chaperone.nats.reconnects', {
    unit: '{reconnect}',
    description: 'times the NATS connection was re-established after a loss',
  });
  reconnects.add(0);
  meter
    .createObservableGauge('chaperone.nats.connection.status', { unit: '1', description: '1 while connected to NATS, 0 while disconnected or closed' })
    .addCallback((result) => result.observe(connected && !nc.isClosed() ? 1 : 0));

  void (async () => {
    for await (const status of nc.status()) {
      if (status.type === Events.Disconnect) connected = false;
      else if (status.type === Events.Reconnect) {
        connected = true;
        reconnects.add(1);
      }
    }
  })();
  void nc.closed().then(() => (connected = false));
}
