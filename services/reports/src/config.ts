import { setting, type ConfigOf } from '@chaperone/config';
import { blobStoreSettings, commonSettings, eventStoreSettings, oidcSettings } from '@chaperone/service-runtime';

/**
 * The reports service. Its HTTP API (sessions, replay, SOC 2 reports, verify) is served on the same
 * listener as /healthz and /readyz (CHAPERONE_HEALTH_HOST / CHAPERONE_HEALTH_PORT, default 9405).
 * Readers authenticate with OIDC tokens from the same issuer settings as the ingress.
 */
export const reportsSettings = {
  ...commonSettings(9405),
  ...eventStoreSettings(),
  // Where recorded bodies are: served to readers and checked by GET /verify.
  ...blobStoreSettings(),
  checkpointPublicKeyFile: setting.optional(
    'CHAPERONE_CHECKPOINT_PUBLIC_KEY_FILE',
    'path to the PEM (SPKI) Ed25519 public key of the audit service\'s checkpoint key (comma-separated paths during a key rotation); unset = chains are verified, checkpoint signatures are not',
  ),
  verifyCacheSeconds: setting.int('CHAPERONE_REPORTS_VERIFY_CACHE_SECONDS', 'seconds a chain verification result is reused by reports (0 = verify for every report)', '60', 0, 86_400),
  ...oidcSettings(),
  complianceGroups: setting.list('CHAPERONE_REPORTS_GROUPS', 'comma-separated OIDC groups allowed to read reports and sessions', 'compliance'),
  burstThreshold: setting.int('CHAPERONE_REPORTS_BURST_THRESHOLD', 'events of one kind (denials, secret reads) by one agent that make a burst', '10', 2, 1_000_000),
  burstWindowSeconds: setting.int('CHAPERONE_REPORTS_BURST_WINDOW_SECONDS', 'the window of a burst, in seconds', '60', 1, 86_400),
  followBatchMs: setting.int(
    'CHAPERONE_REPORTS_FOLLOW_BATCH_MS',
    'milliseconds new events may wait before the read model takes them, in one batch (cheaper per event than one by one; a longer wait makes bursts that delay requests on a shared machine); 0 = each as it is stored',
    '50',
    0,
    10_000,
  ),
  snapshotIntervalSeconds: setting.int(
    'CHAPERONE_REPORTS_SNAPSHOT_INTERVAL_SECONDS',
    'seconds between read-model snapshots (state + checkpoint) to the object store, at least: when saving one took long, the next waits until saving has taken at most 5 % of the time (a snapshot takes time in proportion to the history); 0 = never',
    '60',
    0,
    86_400,
  ),
};

export type ReportsConfig = ConfigOf<typeof reportsSettings>;
