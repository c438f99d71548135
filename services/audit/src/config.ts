import { commonSettings, eventStoreSettings } from '@chaperone/service-runtime';

export const auditSettings = {
  ...commonSettings(9404),
  ...eventStoreSettings(),
};
