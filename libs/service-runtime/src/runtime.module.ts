import { Global, Inject, Module, type DynamicModule, type OnApplicationShutdown } from '@nestjs/common';
import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import type { NatsConnection, Subscription } from 'nats';
import type { ServiceName } from '@chaperone/contracts';
import { connectBus, respondToHealth } from '@chaperone/bus';
import { HealthController } from './health.controller';
import { Readiness } from './readiness';
import { NATS_CONNECTION, SERVICE_IDENTITY, type ServiceIdentity } from './tokens';

export interface RuntimeOptions {
  service: ServiceName;
  natsServers: string[];
}

/**
 * What every Chaperone service has: its identity, one NATS connection (for events and health),
 * readiness checks, and /healthz + /readyz.
 */
@Global()
@Module({})
export class ServiceRuntimeModule implements OnApplicationShutdown {
  static forRoot(opts: RuntimeOptions): DynamicModule {
    const identity: ServiceIdentity = {
      service: opts.service,
      instance: `${hostname()}-${process.pid}-${randomBytes(3).toString('hex')}`,
    };
    return {
      module: ServiceRuntimeModule,
      controllers: [HealthController],
      providers: [
        Readiness,
        { provide: SERVICE_IDENTITY, useValue: identity },
        {
          provide: NATS_CONNECTION,
          inject: [Readiness],
          useFactory: async (readiness: Readiness) => {
            const nc = await connectBus(opts.natsServers, `chaperone-${opts.service}-${identity.instance}`);
            readiness.add('nats', () => ({ ok: !nc.isClosed() && nc.info !== undefined, detail: nc.getServer() }));
            return nc;
          },
        },
      ],
      exports: [Readiness, SERVICE_IDENTITY, NATS_CONNECTION],
    };
  }

  private healthSub: Subscription | undefined;

  constructor(
    @Inject(NATS_CONNECTION) private readonly nc: NatsConnection,
    @Inject(SERVICE_IDENTITY) id: ServiceIdentity,
  ) {
    this.healthSub = respondToHealth(nc, id.service, id.instance);
  }

  async onApplicationShutdown(): Promise<void> {
    this.healthSub?.unsubscribe();
    if (!this.nc.isClosed()) await this.nc.drain();
  }
}
