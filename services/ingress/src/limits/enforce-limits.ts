import { Injectable } from '@nestjs/common';
import { clientConnection } from '../context/exchange';
import type { Decided } from '../context/request-context';
import { GatewayFailure } from '../errors/gateway-errors';
import { AgentLimiter } from './agent-limiter';

/**
 * Stage 3b: an agent registered with limits gets 429 (with Retry-After) once it is over its rate,
 * its requests in flight or its requests held for approval. Runs after the decision, so each
 * refusal is evidence: the intercept, the decision carrying the limits, and a refused completion.
 */
@Injectable()
export class EnforceLimits {
  private readonly limiter = new AgentLimiter();

  run(ctx: Decided): Decided {
    const limits = ctx.decision.limits;
    if (!limits) return ctx;
    const agent = ctx.refs.identity.agent;
    const counted = { held: ctx.decision.effect === 'approve' };
    const verdict = this.limiter.admit(agent, limits, counted);
    if (verdict) throw new GatewayFailure({ kind: 'too-many-requests', message: verdict.message, retryAfterSeconds: verdict.retryAfterSeconds });
    clientConnection(ctx.exchange).on('close', () => this.limiter.release(agent, counted));
    return ctx;
  }
}
