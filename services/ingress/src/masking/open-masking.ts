import { Injectable } from '@nestjs/common';
import type { Cleared, Prepared } from '../context/request-context';
import { GatewayFailure } from '../errors/gateway-errors';
import { MaskingClient } from '../masking-client/masking-client';
import { maskableRequestHeaders } from './masking-plan';

/**
 * Stage 6: open the masking stream before anything is forwarded (or take the one opened ahead for
 * this plan), so that if masking cannot be done the cluster never sees the request; and ask the
 * cluster for a body masking can read.
 */
@Injectable()
export class OpenMasking {
  constructor(private readonly client: MaskingClient) {}

  async run(ctx: Cleared): Promise<Prepared> {
    const plan = ctx.maskingPlan;
    // A stream opened ahead serves only the plan it was opened for, and not after a hold (the
    // replica may have dropped it meanwhile); otherwise it is released here.
    const ahead = plan && ctx.approvalId === undefined ? ctx.maskingAhead?.take(plan) : undefined;
    ctx.maskingAhead?.release();
    if (!plan) return { ...ctx, stage: 'prepared', masking: undefined };
    let stream;
    try {
      stream = await (ahead ?? this.client.open(ctx.requestId, plan.mode, plan.profile));
    } catch (e) {
      throw new GatewayFailure({ kind: 'masking-unavailable', message: e instanceof Error ? e.message : 'masking unavailable', forwarded: false });
    }
    maskableRequestHeaders(ctx.exchange.req.headers);
    return { ...ctx, stage: 'prepared', masking: { ...plan, stream } };
  }
}
