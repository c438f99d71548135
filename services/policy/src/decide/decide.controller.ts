import { Controller, Inject, Logger } from '@nestjs/common';
import { MessagePattern, Payload, RpcException } from '@nestjs/microservices';
import type { NatsConnection } from 'nats';
import { EventPublisher } from '@chaperone/bus';
import { ContractViolation, DecideRequestSchema, parseContract, Subjects, type DecideReply, type PolicyDecided } from '@chaperone/contracts';
import { NATS_CONNECTION } from '@chaperone/service-runtime';
import { PolicyStore } from '../rules';
import { decisionEventId } from './decision-event-id';

/** Answers the ingress's decide requests (queue group: replicas share them) and records each decision. */
@Controller()
export class DecideController {
  private readonly logger = new Logger(DecideController.name);
  private readonly publisher: EventPublisher;

  constructor(
    private readonly store: PolicyStore,
    @Inject(NATS_CONNECTION) nc: NatsConnection,
  ) {
    this.publisher = new EventPublisher(nc);
  }

  @MessagePattern(Subjects.policyDecide)
  decide(@Payload() raw: unknown): DecideReply {
    let request;
    try {
      request = parseContract(DecideRequestSchema, 'DecideRequest', raw);
    } catch (e) {
      const message = e instanceof ContractViolation ? e.message : 'invalid decide request';
      this.logger.warn(message);
      throw new RpcException(message);
    }
    const decision = this.store.decide(request.identity, request.request);
    const event: PolicyDecided = {
      eventId: decisionEventId(request.interceptEventId),
      schemaVersion: 1,
      type: 'PolicyDecided',
      time: new Date().toISOString(),
      requestId: request.requestId,
      sessionId: request.sessionId,
      traceId: request.traceId,
      identity: request.identity,
      payload: { interceptEventId: request.interceptEventId, decision },
    };
    this.publisher.publish(event);
    return { schemaVersion: 1, decisionEventId: event.eventId, decision };
  }
}
