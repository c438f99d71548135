import { setting } from '@chaperone/config';
import { commonSettings } from '@chaperone/service-runtime';

export const auditSettings = {
  ...commonSettings(9404),
  eventStore: setting.oneOf('CHAPERONE_EVENT_STORE', ['jetstream', 'eventstoredb'] as const, 'jetstream'),
  eventStoreConnection: setting.optional('EVENTSTORE_CONNECTION_STRING', 'an EventStoreDB connection string, e.g. esdb://eventstore:2113?tls=false', {
    secret: true,
  }),
};
