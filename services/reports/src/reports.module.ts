import { Module, type DynamicModule } from '@nestjs/common';
import type { NatsConnection } from 'nats';
import { createAuthenticator, type AuthConfig } from '@chaperone/auth';
import type { BusSubjects } from '@chaperone/contracts';
import type { EventStore } from '@chaperone/event-store';
import { loadPublicKey } from '@chaperone/evidence-chain';
import type { KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { BlobStore } from '@chaperone/blob-store';
import { BUS, NATS_CONNECTION, oidcAuthConfig, openServiceBlobStore, openServiceEventStore, runtimeOptions, ServiceRuntimeModule, StartupError } from '@chaperone/service-runtime';
import { ComplianceAccess } from './access/compliance-access';
import { AgentsController } from './agents/agents.controller';
import { BodiesController } from './bodies/bodies.controller';
import type { ReportsConfig } from './config';
import { Projector } from './projection/projector';
import { ReportsMetrics } from './metrics/reports-metrics';
import { SnapshotStore } from './projection/snapshot-store';
import { SessionsController } from './sessions/sessions.controller';
import { ReportsController } from './soc2/reports.controller';
import { AUTHENTICATOR, BLOB_STORE, CHAIN_VERIFIER, CLOCK, EVENT_STORE, REPORTS_CONFIG, SNAPSHOTS } from './tokens';
import { StoreVerifier } from './verify/store-verifier';

export function authConfig(config: ReportsConfig): AuthConfig {
  return oidcAuthConfig(config);
}

/** The checkpoint public key(s), checked at start: a bad file stops the service with what is wrong. */
function checkpointPublicKeys(files: string | undefined): KeyObject[] | undefined {
  const list = (files ?? '').split(',').map((f) => f.trim()).filter(Boolean);
  return list.length ? list.map(checkpointPublicKey) : undefined;
}

function checkpointPublicKey(file: string): KeyObject {
  let pem: string;
  try {
    pem = readFileSync(file, 'utf8');
  } catch (e) {
    throw new StartupError(`CHAPERONE_CHECKPOINT_PUBLIC_KEY_FILE: cannot read ${file} (${(e as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  try {
    return loadPublicKey(pem);
  } catch (e) {
    throw new StartupError(`CHAPERONE_CHECKPOINT_PUBLIC_KEY_FILE ${file}: ${e instanceof Error ? e.message : 'not a key'}; expected a PEM (SPKI) Ed25519 public key`);
  }
}

/** The reports service: read models projected from the event store, served to compliance readers. */
@Module({})
export class ReportsModule {
  static forRoot(config: ReportsConfig, opts: { now?: () => Date } = {}): DynamicModule {
    return {
      module: ReportsModule,
      imports: [ServiceRuntimeModule.forRoot(runtimeOptions('reports', config, { events: false }))],
      controllers: [SessionsController, BodiesController, ReportsController, AgentsController],
      providers: [
        { provide: REPORTS_CONFIG, useValue: config },
        { provide: CLOCK, useValue: opts.now ?? (() => new Date()) },
        { provide: AUTHENTICATOR, useFactory: () => createAuthenticator(authConfig(config)) },
        {
          provide: EVENT_STORE,
          inject: [NATS_CONNECTION, BUS],
          // Through the chaining decorator like every user of the evidence store (this service only reads).
          useFactory: (nc: NatsConnection, subjects: BusSubjects) =>
            openServiceEventStore(config, { nc, subjects }),
        },
        {
          provide: SNAPSHOTS,
          inject: [NATS_CONNECTION, BUS],
          useFactory: (nc: NatsConnection, subjects: BusSubjects) => SnapshotStore.open(nc, subjects.reportsSnapshotBucket),
        },
        {
          provide: BLOB_STORE,
          inject: [NATS_CONNECTION, BUS],
          useFactory: (nc: NatsConnection, subjects: BusSubjects) => openServiceBlobStore(config, { nc, subjects }),
        },
        {
          provide: CHAIN_VERIFIER,
          inject: [EVENT_STORE, BLOB_STORE],
          useFactory: (store: EventStore, blobs: BlobStore) =>
            new StoreVerifier(store, blobs, checkpointPublicKeys(config.checkpointPublicKeyFile), config.verifyCacheSeconds),
        },
        ComplianceAccess,
        Projector,
        ReportsMetrics,
      ],
    };
  }
}
