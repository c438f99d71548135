import { Inject, Injectable, Logger } from '@nestjs/common';
import { RpcException } from '@nestjs/microservices';
import type { DurableEventPublisher } from '@chaperone/bus';
import { ContractViolation, DecideRequestSchema, parseContract, type AgentLimits, type DecideReply, type Decision, type Identity, type PolicyDecided, type RequestInfo } from '@chaperone/contracts';
import { EVENTS } from '@chaperone/service-runtime';
import { PolicyStore } from '../rules';
import { decisionEventId } from './decision-event-id';

/** Refuses requests before the rules are asked (the agent registry); undefined: no objection. */
export interface AgentGate {
  refuse(identity: Identity, request: RequestInfo, policyVersion: string): Decision | undefined;
  /** The agent's registered limits, carried in the decision for the ingress to enforce. */
  limitsFor(identity: Identity): AgentLimits | undefined;
}

/**
 * Decides one intercepted request and records the decision. The reply goes out only after the
 * PolicyDecided event is durably stored: the ingress forwards nothing whose decision is not evidence.
 */
@Injectable()
export class DecideHandler {
  private readonly logger = new Logger(DecideHandler.name);

  constructor(
    private readonly store: PolicyStore,
    @Inject(EVENTS) private readonly events: DurableEventPublisher,
    private readonly now: () => Date = () => new Date(),
    private readonly agents?: AgentGate,
  ) {}

  async decide(raw: unknown): Promise<DecideReply> {
    let request;
    try {
      request = parseContract(DecideRequestSchema, 'DecideRequest', raw);
    } catch (e) {
      const message = e instanceof ContractViolation ? e.message : 'invalid decide request';
      this.logger.warn(message);
      throw new RpcException(message);
    }
    const decided = this.agents?.refuse(request.identity, request.request, this.store.version) ?? this.store.decide(request.identity, request.request);
    const limits = this.agents?.limitsFor(request.identity);
    const decision: Decision = limits ? { ...decided, limits } : decided;
    const event: PolicyDecided = {
      eventId: decisionEventId(request.interceptEventId),
      schemaVersion: 1,
      type: 'PolicyDecided',
      time: this.now().toISOString(),
      requestId: request.requestId,
      sessionId: request.sessionId,
      traceId: request.traceId,
      identity: request.identity,
      payload: { interceptEventId: request.interceptEventId, decision },
    };
    try {
      await this.events.publish(event);
    } catch (e) {
      this.logger.error(`decision for request ${request.requestId} not recorded: ${e instanceof Error ? e.message : String(e)}`);
      throw new RpcException(`the decision could not be recorded: ${e instanceof Error ? e.message : 'bus error'}`);
    }
    return { schemaVersion: 1, decisionEventId: event.eventId, decision };
  }
}
