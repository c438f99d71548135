import { readFileSync } from 'node:fs';
import type { KeyObject } from 'node:crypto';
import { loadConfig } from '@chaperone/config';
import { CheckpointKeyError, loadPrivateKey } from '@chaperone/evidence-chain';
import { bootstrapService, runMain, runtimeOptions, StartupError } from '@chaperone/service-runtime';
import { AuditModule } from './audit.module';
import { auditSettings } from './config';

runMain(async () => {
  const config = loadConfig(auditSettings);
  if (config.leaseTtlMs < 2 * config.leaseRenewMs) {
    throw new StartupError(`CHAPERONE_AUDIT_LEASE_TTL_MS (${config.leaseTtlMs}) must be at least twice CHAPERONE_AUDIT_LEASE_RENEW_MS (${config.leaseRenewMs}): a holder must have one renewal period of margin before it stops acting on a lease`);
  }
  const privateKey = config.checkpointKeyFile ? readCheckpointKey(config.checkpointKeyFile) : null;
  await bootstrapService({
    service: 'audit',
    module: AuditModule.forRoot({
      runtime: runtimeOptions('audit', config, { events: true }),
      eventStore: config.eventStore,
      eventStoreConnection: config.eventStoreConnection,
      checkpoints: { privateKey, intervalMs: config.checkpointIntervalSeconds * 1000 },
      leases: { renewMs: config.leaseRenewMs, ttlMs: config.leaseTtlMs },
      batchLingerMs: config.batchLingerMs,
      reconcile: { replicaSilenceMs: config.reconcileReplicaSilenceMs, maxRequestMs: config.reconcileMaxRequestSeconds * 1000, roundMs: 1000 },
    }),
    healthHost: config.healthHost,
    healthPort: config.healthPort,
    jsonLogs: config.logFormat === 'json',
  });
});

/** The checkpoint signing key; errors name the file and the problem, never the key. */
function readCheckpointKey(file: string): KeyObject {
  let pem: string;
  try {
    pem = readFileSync(file, 'utf8');
  } catch (err) {
    throw new StartupError(`CHAPERONE_CHECKPOINT_KEY_FILE: cannot read ${file} (${(err as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  try {
    return loadPrivateKey(pem);
  } catch (err) {
    if (err instanceof CheckpointKeyError) throw new StartupError(`CHAPERONE_CHECKPOINT_KEY_FILE ${file}: ${err.message}; expected a PEM (PKCS#8) Ed25519 private key, e.g. from \`openssl genpkey -algorithm ed25519\``);
    throw err;
  }
}
