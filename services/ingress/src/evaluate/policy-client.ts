import { Inject, Injectable, type OnApplicationShutdown } from '@nestjs/common';
import type { NatsConnection } from 'nats';
import { AcknowledgedRequester, NotStored, RequestTimedOut, RpcFailed } from '@chaperone/bus';
import { EvaluationReplySchema, parseContract, type BusSubjects, type EvaluationReply, type EvaluationRequest } from '@chaperone/contracts';
import { BUS, NATS_CONNECTION } from '@chaperone/service-runtime';
import { GatewayFailure } from '../errors/gateway-errors';
import { INGRESS_CONFIG, type IngressConfig } from '../tokens';

/**
 * Asks the policy service (plain-JSON request/reply, queue group) for a decision; the request carries
 * the RequestIntercepted event, which the policy service stores with its decision. The request names
 * a subject of this client's for the events stream's acknowledgement of that write: the policy
 * service publishes the write with it and answers at once, and the decision counts only once the
 * acknowledgement has come too (a policy service that waits for it itself says so by not naming the
 * subject back). Usually the answer comes with that acknowledgement, in its subject, and there is
 * no reply: one message on the bus, and the decision counts once it is stored. Any failure —
 * timeout, no responder, a lost bus, an error reply, a refused write, a reply that breaks the
 * contract — is a typed `policy-unavailable`, which the gateway turns into 503: no decision, no
 * forwarding.
 */
@Injectable()
export class PolicyClient implements OnApplicationShutdown {
  private readonly requester: AcknowledgedRequester;

  constructor(
    @Inject(NATS_CONNECTION) nc: NatsConnection,
    @Inject(INGRESS_CONFIG) private readonly config: IngressConfig,
    @Inject(BUS) private readonly subjects: BusSubjects,
  ) {
    this.requester = new AcknowledgedRequester(nc, subjects.eventsStream);
  }

  onApplicationShutdown(): void {
    this.requester.close();
  }

  async evaluate(request: EvaluationRequest): Promise<EvaluationReply> {
    let raw: unknown;
    try {
      raw = await this.requester.request(
        this.subjects.policyEvaluate,
        (acknowledgeTo) => ({ ...request, acknowledgeTo, answerWithAcknowledgement: true }),
        (reply) => (reply as { acknowledgedTo?: string } | null)?.acknowledgedTo,
        this.config.policyTimeoutMs,
      );
    } catch (e) {
      const message =
        e instanceof RpcFailed
          ? `the policy service could not evaluate the request (${e.message})`
          : e instanceof NotStored
            ? `the policy service could not evaluate the request (the decision could not be recorded: ${e.message})`
            : e instanceof RequestTimedOut
              ? `the policy service did not answer within ${this.config.policyTimeoutMs} ms`
              : `the policy service is unreachable (${describe(e)})`;
      throw new GatewayFailure({ kind: 'policy-unavailable', message });
    }
    try {
      return parseContract(EvaluationReplySchema, 'EvaluationReply', raw);
    } catch (e) {
      throw new GatewayFailure({ kind: 'policy-unavailable', message: `the policy service sent an invalid reply (${describe(e)})` });
    }
  }
}

function describe(e: unknown): string {
  if (e instanceof Error) return e.message;
  if (typeof e === 'string') return e;
  if (e && typeof e === 'object' && 'message' in e) return String((e as { message: unknown }).message);
  return 'unknown error';
}
