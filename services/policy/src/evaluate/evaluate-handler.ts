import { Inject, Injectable, Logger } from '@nestjs/common';
import { ErrorReply, GroupCommit, type Committed, type DurableEventPublisher } from '@chaperone/bus';
import { ContractViolation, EvaluationRequestSchema, parseContract, selfReviewKind, type AgentLimits, type AgentScope, type EvaluationReply, type EvaluationRequest, type Decision, type Identity, type PolicyDecided, type RequestInfo, type SelfReviewAnswer } from '@chaperone/contracts';
import { EVENTS } from '@chaperone/service-runtime';
import { PolicyStore } from '../rules';
import { answerReview, selfReviewDecision, type ReviewSources } from '../review';
import { decisionEventId } from './decision-event-id';

/** Refuses requests before the rules are asked (the agent registry); undefined: no objection. */
export interface AgentGate {
  refuse(identity: Identity, request: RequestInfo, policyVersion: string): Decision | undefined;
  /** The agent's registered limits, carried in the decision for the ingress to enforce. */
  limitsFor(identity: Identity): AgentLimits | undefined;
  /** The agent's registered scope, for self reviews (kubectl auth can-i). */
  scopeOf(identity: Identity): AgentScope | undefined;
}

/** An evaluation's answer, and whether it already went to the caller with the acknowledgement of its write. */
export interface Evaluated {
  reply: EvaluationReply;
  answeredInAcknowledgement: boolean;
}

/** Any non-resource request: a scope never limits one, so only an unregistered agent (or no registry) is refused. */
const ANY_REQUEST: RequestInfo = { isResourceRequest: false, path: '/', verb: 'get' };

/**
 * Evaluates one intercepted request and records it. The intercept and its decision are stored in one
 * durable write, grouped with the other decisions of the same socket read and partition (under
 * load several evaluation requests arrive in one read). A decision that goes alone, when the
 * request names an `acknowledgeTo` subject, is published with it as reply subject and the answer
 * goes out at once (both in one socket write): the events stream acknowledges to the ingress, which
 * forwards nothing before it has that acknowledgement. When the request asks for it, the answer
 * travels in that acknowledgement's subject instead, and no reply is sent at all. Otherwise (a
 * group, or no `acknowledgeTo`) the answer goes out only after the server acknowledged the write
 * here. Either way the ingress forwards nothing whose interception and decision are not evidence.
 *
 * Validation is zod's own: zod 4 compiles an object schema to one generated function the first time
 * it parses (about 0.5 µs for a EvaluationRequest, less than decoding its JSON), so the contract stays
 * the single definition of what is accepted.
 */
@Injectable()
export class EvaluateHandler {
  private readonly logger = new Logger(EvaluateHandler.name);
  private readonly commit: GroupCommit;

  constructor(
    private readonly store: PolicyStore,
    @Inject(EVENTS) events: DurableEventPublisher,
    private readonly now: () => Date = () => new Date(),
    private readonly agents?: AgentGate,
  ) {
    // Evaluation requests that come together come in one socket read: a decision waits for no other socket.
    this.commit = new GroupCommit(events, 'read');
  }

  /** The reply to a decoded EvaluationRequest; throws ErrorReply (nothing recorded) when there is none. */
  async evaluate(raw: unknown): Promise<Evaluated> {
    let request: EvaluationRequest;
    try {
      request = parseContract(EvaluationRequestSchema, 'EvaluationRequest', raw);
    } catch (e) {
      const message = e instanceof ContractViolation ? e.message : 'invalid evaluation request';
      this.logger.warn(message);
      throw new ErrorReply(message);
    }
    const { intercepted } = request;
    const { identity, payload } = intercepted;
    const review = this.review(request);
    const verdict = review ? (this.agents?.refuse(identity, ANY_REQUEST, this.store.version) ?? selfReviewDecision(this.store.version)) : this.evaluateRequest(identity, payload.request);
    const limits = this.agents?.limitsFor(identity);
    const decision: Decision = limits ? { ...verdict, limits } : verdict;
    const decided: PolicyDecided = {
      eventId: decisionEventId(intercepted.eventId),
      schemaVersion: 1,
      type: 'PolicyDecided',
      time: this.now().toISOString(),
      requestId: intercepted.requestId,
      sessionId: intercepted.sessionId,
      traceId: intercepted.traceId,
      identity,
      payload: { interceptEventId: intercepted.eventId, decision },
    };
    const reply: EvaluationReply = { schemaVersion: 1, decisionEventId: decided.eventId, decision, ...(review && decision.effect !== 'deny' ? { review } : {}) };
    const { acknowledgeTo } = request;
    let committed: Committed;
    try {
      // Intercept and decision in one message (with other decisions of the same round and partition:
      // a group commit), named by the last decision: a retried request (same intercept) is stored once.
      committed = await this.commit.write([intercepted, decided], acknowledgeTo ? { acknowledgeTo, ...(request.answerWithAcknowledgement ? { answer: reply } : {}) } : undefined);
    } catch (e) {
      const why = e instanceof Error ? e.message : 'bus error';
      this.logger.error(`decision for request ${intercepted.requestId} not recorded: ${why}`);
      throw new ErrorReply(`the decision could not be recorded: ${why}`);
    }
    switch (committed.by) {
      case 'answered':
        return { reply, answeredInAcknowledgement: true };
      case 'handed-off':
        return { reply: { ...reply, acknowledgedTo: committed.acknowledgeTo }, answeredInAcknowledgement: false };
      case 'stored':
        return { reply, answeredInAcknowledgement: false };
      default: {
        const unknown: never = committed;
        throw new Error(`unknown commit ${String(unknown)}`);
      }
    }
  }

  private evaluateRequest(identity: Identity, request: RequestInfo): Decision {
    return this.agents?.refuse(identity, request, this.store.version) ?? this.store.evaluate(identity, request);
  }

  /** The answer to a self review (kubectl auth can-i), when the request creates one and says what it asks. */
  private review({ intercepted, review }: EvaluationRequest): SelfReviewAnswer | undefined {
    if (!review || selfReviewKind(intercepted.payload.request) !== review.kind) return undefined;
    const sources: ReviewSources = {
      evaluate: (identity, request) => this.evaluateRequest(identity, request),
      rules: this.store.current.rules,
      scopeOf: (identity) => this.agents?.scopeOf(identity),
      registryRefusal: (identity) => this.agents?.refuse(identity, ANY_REQUEST, this.store.version),
    };
    return answerReview(review, intercepted.identity, sources);
  }
}
