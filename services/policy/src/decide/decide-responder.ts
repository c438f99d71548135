import { Inject, Injectable, Logger, type BeforeApplicationShutdown, type OnApplicationBootstrap } from '@nestjs/common';
import type { NatsConnection } from 'nats';
import { serveJson, type JsonResponder } from '@chaperone/bus';
import type { BusSubjects } from '@chaperone/contracts';
import { BUS, NATS_CONNECTION, Readiness } from '@chaperone/service-runtime';
import { PolicyMetrics } from '../metrics/policy-metrics';
import { DecideHandler } from './decide-handler';

/**
 * Serves decide requests on the bus: a plain subscription in the policy queue group, JSON in and
 * out, straight to the handler. It subscribes once the module is fully built (rules and agent
 * registry loaded) and, on shutdown, stops taking requests and answers those it took before the
 * connection drains.
 */
@Injectable()
export class DecideResponder implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('Decide');
  private responder: JsonResponder | undefined;

  constructor(
    @Inject(NATS_CONNECTION) private readonly nc: NatsConnection,
    @Inject(BUS) private readonly subjects: BusSubjects,
    private readonly handler: DecideHandler,
    private readonly metrics: PolicyMetrics,
    readiness: Readiness,
  ) {
    readiness.add('decide', () => ({ ok: this.responder?.active ?? false, detail: `${this.responder?.inFlight ?? 0} in flight` }));
  }

  async onApplicationBootstrap(): Promise<void> {
    this.responder = serveJson(this.nc, {
      subject: this.subjects.policyDecide,
      queue: this.subjects.queue('policy'),
      spanName: 'policy.decide',
      handle: (request) => this.metrics.timed(this.handler.decide(request)),
      onUnexpected: (e) => this.logger.error(`decide request failed: ${e instanceof Error ? e.message : String(e)}`),
    });
    // The server has the subscription before the service says it is ready.
    await this.nc.flush();
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.responder?.drain();
  }
}
