import { Inject, Injectable, Logger, type BeforeApplicationShutdown, type OnApplicationBootstrap } from '@nestjs/common';
import type { NatsConnection } from 'nats';
import { serveJson, type JsonResponder } from '@chaperone/bus';
import type { BusSubjects } from '@chaperone/contracts';
import { BUS, NATS_CONNECTION, Readiness } from '@chaperone/service-runtime';
import { PolicyMetrics } from '../metrics/policy-metrics';
import { EvaluateHandler } from './evaluate-handler';

/**
 * Serves evaluation requests on the bus: a plain subscription in the policy queue group, JSON in and
 * out, straight to the handler. It subscribes once the module is fully built (rules and agent
 * registry loaded) and, on shutdown, stops taking requests and answers those it took before the
 * connection drains.
 */
@Injectable()
export class EvaluateResponder implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('Evaluate');
  private responder: JsonResponder | undefined;

  constructor(
    @Inject(NATS_CONNECTION) private readonly nc: NatsConnection,
    @Inject(BUS) private readonly subjects: BusSubjects,
    private readonly handler: EvaluateHandler,
    private readonly metrics: PolicyMetrics,
    readiness: Readiness,
  ) {
    readiness.add('evaluate', () => ({ ok: this.responder?.active ?? false, detail: `${this.responder?.inFlight ?? 0} in flight` }));
  }

  async onApplicationBootstrap(): Promise<void> {
    this.responder = serveJson(this.nc, {
      subject: this.subjects.policyEvaluate,
      queue: this.subjects.queue('policy'),
      spanName: 'policy.evaluate',
      handle: (request) => this.metrics.timed(this.handler.evaluate(request)),
      onUnexpected: (e) => this.logger.error(`evaluation request failed: ${e instanceof Error ? e.message : String(e)}`),
    });
    // The server has the subscription before the service says it is ready.
    await this.nc.flush();
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.responder?.drain();
  }
}
