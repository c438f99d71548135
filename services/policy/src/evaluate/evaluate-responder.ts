import { Inject, Injectable } from '@nestjs/common';
import type { NatsConnection } from 'nats';
import type { BusSubjects } from '@chaperone/contracts';
import { ANSWERED_ELSEWHERE } from '@chaperone/bus';
import { BUS, JsonEndpoint, NATS_CONNECTION, Readiness, type JsonEndpointOptions } from '@chaperone/service-runtime';
import { PolicyMetrics } from '../metrics/policy-metrics';
import { EvaluateHandler } from './evaluate-handler';

/**
 * Serves evaluation requests on the bus: a plain subscription in the policy queue group, JSON in and
 * out, straight to the handler (and no reply when the answer went with the acknowledgement). It
 * subscribes once the module is fully built (rules and agent registry loaded) and, on shutdown,
 * stops taking requests and answers those it took before the connection drains.
 */
@Injectable()
export class EvaluateResponder extends JsonEndpoint {
  constructor(
    @Inject(NATS_CONNECTION) nc: NatsConnection,
    @Inject(BUS) private readonly subjects: BusSubjects,
    private readonly handler: EvaluateHandler,
    private readonly metrics: PolicyMetrics,
    readiness: Readiness,
  ) {
    super(nc, readiness, 'evaluate');
  }

  protected endpoint(): JsonEndpointOptions {
    return {
      subject: this.subjects.policyEvaluate,
      queue: this.subjects.queue('policy'),
      spanName: 'policy.evaluate',
      what: 'evaluation request',
      handle: async (request) => {
        const { reply, answeredInAcknowledgement } = await this.metrics.timed(this.handler.evaluate(request));
        return answeredInAcknowledgement ? ANSWERED_ELSEWHERE : reply;
      },
    };
  }
}
