import { setting } from '@chaperone/config';
import { commonSettings, eventStoreSettings } from '@chaperone/service-runtime';

export const auditSettings = {
  ...commonSettings(9404),
  ...eventStoreSettings(),
  checkpointKeyFile: setting.optional(
    'CHAPERONE_CHECKPOINT_KEY_FILE',
    'path to the PEM (PKCS#8) Ed25519 private key that signs chain checkpoints; unset = no checkpoints',
  ),
  checkpointIntervalSeconds: setting.int('CHAPERONE_CHECKPOINT_INTERVAL_SECONDS', 'seconds between signed checkpoints of the chain heads', '60', 1, 86400),
};
