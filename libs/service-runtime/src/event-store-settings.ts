import { setting } from '@chaperone/config';

/** Settings of every service that writes to or reads the evidence event store. */
export function eventStoreSettings() {
  return {
    eventStore: setting.oneOf('CHAPERONE_EVENT_STORE', ['jetstream', 'eventstoredb'] as const, 'jetstream'),
    eventStoreConnection: setting.optional('EVENTSTORE_CONNECTION_STRING', 'an EventStoreDB connection string, e.g. esdb://eventstore:2113?tls=false', {
      secret: true,
    }),
  };
}
