import { Module, type DynamicModule } from '@nestjs/common';
import type { NatsConnection } from 'nats';
import type { BusSubjects } from '@chaperone/contracts';
import { BUS, NATS_CONNECTION, openServiceEventStore, runtimeOptions, ServiceRuntimeModule } from '@chaperone/service-runtime';
import type { ExporterConfig } from './config';
import { KvCheckpointStore } from './follow/checkpoint-store';
import { Sinks } from './follow/sinks';
import { CHECKPOINTS, EVENT_STORE, EXPORTER_CONFIG } from './tokens';

/** The exporter: sinks that follow the evidence store and deliver it in other formats. It only reads the store. */
@Module({})
export class ExporterModule {
  static forRoot(config: ExporterConfig): DynamicModule {
    return {
      module: ExporterModule,
      imports: [ServiceRuntimeModule.forRoot(runtimeOptions('exporter', config, { events: false }))],
      providers: [
        { provide: EXPORTER_CONFIG, useValue: config },
        {
          provide: EVENT_STORE,
          inject: [NATS_CONNECTION, BUS],
          useFactory: (nc: NatsConnection, subjects: BusSubjects) => openServiceEventStore(config, { nc, subjects }),
        },
        {
          provide: CHECKPOINTS,
          inject: [NATS_CONNECTION, BUS],
          useFactory: (nc: NatsConnection, subjects: BusSubjects) => KvCheckpointStore.open(nc, subjects.exporterCheckpointBucket),
        },
        Sinks,
      ],
    };
  }
}
