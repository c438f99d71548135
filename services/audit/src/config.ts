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
  leaseRenewMs: setting.int(
    'CHAPERONE_AUDIT_LEASE_RENEW_MS',
    'milliseconds between renewals of the partition (and reconciler) leases an audit replica holds',
    '1000', 100, 60000,
  ),
  leaseTtlMs: setting.int(
    'CHAPERONE_AUDIT_LEASE_TTL_MS',
    'milliseconds a lease may go unrenewed before another replica takes it over (a crashed replica\'s partitions resume after this); the holder stops acting on it after this less one renewal period, so at least twice CHAPERONE_AUDIT_LEASE_RENEW_MS',
    '5000', 300, 600000,
  ),
  batchLingerMs: setting.int(
    'CHAPERONE_AUDIT_BATCH_LINGER_MS',
    'milliseconds a partition writer waits after a message arrives for more to store with it: larger batches cost fewer store writes and acknowledgements per event; evidence is stored this much later (agents never wait on it)',
    '50', 0, 1000,
  ),
  reconcileReplicaSilenceMs: setting.int(
    'CHAPERONE_RECONCILE_REPLICA_SILENCE_MS',
    'milliseconds an ingress replica may go without announcing itself (it does every second) before the requests it let through and never completed are closed as outcome unknown',
    '8000', 2000, 600000,
  ),
  reconcileMaxRequestSeconds: setting.int(
    'CHAPERONE_RECONCILE_MAX_REQUEST_SECONDS',
    'seconds after its decision a request that is not a stream (watch, followed log, exec, attach, port-forward) nor held for approval is closed as outcome unknown when no completion is stored',
    '900', 10, 604800,
  ),
};
