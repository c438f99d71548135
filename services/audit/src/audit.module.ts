import { Module, type DynamicModule } from '@nestjs/common';
import { ServiceRuntimeModule } from '@chaperone/service-runtime';
import { EventRecorder } from './record-events/event-recorder';

/** The audit service: consumes the evidence events (the event store lands with issue #3). */
@Module({})
export class AuditModule {
  static forRoot(natsServers: string[]): DynamicModule {
    return {
      module: AuditModule,
      imports: [ServiceRuntimeModule.forRoot({ service: 'audit', natsServers })],
      providers: [EventRecorder],
    };
  }
}
