import { Inject, Injectable } from '@nestjs/common';
import type { NatsConnection } from 'nats';
import { requestJson, RpcFailed } from '@chaperone/bus';
import { EvaluationReplySchema, parseContract, type BusSubjects, type EvaluationReply, type EvaluationRequest } from '@chaperone/contracts';
import { BUS, NATS_CONNECTION } from '@chaperone/service-runtime';
import { GatewayFailure } from '../errors/gateway-errors';
import { INGRESS_CONFIG, type IngressConfig } from '../tokens';

/**
 * Asks the policy service (plain-JSON request/reply, queue group) for a decision; the request carries
 * the RequestIntercepted event, which the policy service stores with its decision before it answers.
 * Any failure — timeout, no responder, a lost bus, an error reply, a reply that breaks the contract —
 * is a typed `policy-unavailable`, which the gateway turns into 503: no decision, no forwarding.
 */
@Injectable()
export class PolicyClient {
  constructor(
    @Inject(NATS_CONNECTION) private readonly nc: NatsConnection,
    @Inject(INGRESS_CONFIG) private readonly config: IngressConfig,
    @Inject(BUS) private readonly subjects: BusSubjects,
  ) {}

  async evaluate(request: EvaluationRequest): Promise<EvaluationReply> {
    let raw: unknown;
    try {
      raw = await requestJson(this.nc, this.subjects.policyEvaluate, request, this.config.policyTimeoutMs);
    } catch (e) {
      const message =
        e instanceof RpcFailed
          ? `the policy service could not evaluate the request (${e.message})`
          : (e as { code?: string }).code === 'TIMEOUT'
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
