import { Global, Inject, Logger, Module, type DynamicModule, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import type { NatsConnection, Subscription } from 'nats';
import { busSubjects, type BusSubjects, type ServiceName } from '@chaperone/contracts';
import { connectBus, DurableEventPublisher, ensureEventsStream, raiseStreamReplicas, respondToHealth, type EventsStreamLimits } from '@chaperone/bus';
import { HealthController } from './health.controller';
import { Metrics } from './metrics/metrics';
import { MetricsController } from './metrics/metrics.controller';
import { registerNatsMetrics } from './metrics/nats-metrics';
import { Readiness } from './readiness';
import { StartupError } from './startup-error';
import { BUS, EVENTS, NATS_CONNECTION, SERVICE_IDENTITY, type ServiceIdentity } from './tokens';

export interface RuntimeOptions {
  service: ServiceName;
  natsServers: string[];
  busPrefix?: string;
  /** For services that publish or consume evidence events: the events stream is ensured at start. */
  events?: EventsStreamLimits & { publishTimeoutMs: number };
  /** Copies of each stream of the prefix (CHAPERONE_STREAM_REPLICAS); raised once the service has created its streams. Default 1. */
  streamReplicas?: number;
}

const RUNTIME_OPTIONS = Symbol('RUNTIME_OPTIONS');

/**
 * What every Chaperone service has: its identity, the bus subjects of its prefix, one NATS
 * connection (events, health), readiness checks, /healthz + /readyz, and /metrics (`Metrics`:
 * process and NATS connection figures, and the meter a service adds its own instruments to).
 */
@Global()
@Module({})
export class ServiceRuntimeModule implements OnApplicationBootstrap, OnApplicationShutdown {
  static forRoot(opts: RuntimeOptions): DynamicModule {
    const identity: ServiceIdentity = {
      service: opts.service,
      instance: `${hostname()}-${process.pid}-${randomBytes(3).toString('hex')}`,
    };
    const subjects = busSubjects(opts.busPrefix);
    return {
      module: ServiceRuntimeModule,
      controllers: [HealthController, MetricsController],
      providers: [
        Readiness,
        { provide: SERVICE_IDENTITY, useValue: identity },
        { provide: RUNTIME_OPTIONS, useValue: opts },
        { provide: BUS, useValue: subjects },
        { provide: Metrics, useFactory: () => new Metrics(identity) },
        {
          provide: NATS_CONNECTION,
          inject: [Readiness, Metrics],
          useFactory: async (readiness: Readiness, metrics: Metrics) => {
            const nc = await connectBus(opts.natsServers, `${subjects.prefix}-${opts.service}-${identity.instance}`);
            readiness.add('nats', () => ({ ok: !nc.isClosed() && nc.info !== undefined, detail: nc.getServer() }));
            registerNatsMetrics(metrics.meter, nc);
            if (opts.events) await ensureEventsStream(await nc.jetstreamManager(), subjects, opts.events);
            return nc;
          },
        },
        {
          provide: EVENTS,
          inject: [NATS_CONNECTION],
          useFactory: (nc: NatsConnection) =>
            opts.events ? new DurableEventPublisher(nc, subjects, opts.events.publishTimeoutMs) : undefined,
        },
      ],
      exports: [Readiness, SERVICE_IDENTITY, NATS_CONNECTION, BUS, EVENTS, Metrics],
    };
  }

  private healthSub: Subscription | undefined;

  constructor(
    @Inject(NATS_CONNECTION) private readonly nc: NatsConnection,
    @Inject(SERVICE_IDENTITY) id: ServiceIdentity,
    @Inject(BUS) subjects: BusSubjects,
    @Inject(Metrics) private readonly metrics: Metrics,
    @Inject(RUNTIME_OPTIONS) private readonly opts: RuntimeOptions,
  ) {
    this.subjects = subjects;
    this.healthSub = respondToHealth(nc, subjects, id.service, id.instance);
  }

  private readonly subjects: BusSubjects;

  /** After every provider has created its streams: bring them to the configured replica count. */
  async onApplicationBootstrap(): Promise<void> {
    const replicas = this.opts.streamReplicas ?? 1;
    if (replicas <= 1) return;
    let raised: string[];
    try {
      raised = await raiseStreamReplicas(await this.nc.jetstreamManager(), this.subjects, replicas);
    } catch (e) {
      throw new StartupError(`CHAPERONE_STREAM_REPLICAS=${replicas}: ${e instanceof Error ? e.message : String(e)}`);
    }
    if (raised.length > 0) new Logger('Runtime').log(`streams raised to ${replicas} replicas: ${raised.join(', ')}`);
  }

  async onApplicationShutdown(): Promise<void> {
    this.healthSub?.unsubscribe();
    if (!this.nc.isClosed()) await this.nc.drain();
    await this.metrics.shutdown();
  }
}
