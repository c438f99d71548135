import { Injectable } from '@nestjs/common';
import type { Cleared, MaskingPlan, MaskingStream, Prepared } from '../context/request-context';
import { GatewayFailure } from '../errors/gateway-errors';
import { MaskingClient } from '../masking-client/masking-client';
import { DocumentMasking } from './document-masking';
import { maskableRequestHeaders, maskedOnArrival } from './masking-plan';

/**
 * Stage 6: make sure the response can be masked, and ask the cluster for a body masking can read.
 * The answer to a get or list is masked once it is here (in one request when it fits), so nothing
 * needs opening before it is sent: a read changes nothing, and if masking fails its answer is
 * withheld. Every other masked response (a watch, logs, what a write echoes back) has its masking
 * stream opened first (or takes the one opened ahead for this plan), so if masking cannot be done
 * the cluster never sees the request. So do reads while a request has just found no masking
 * service: they are refused without reaching the cluster.
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
    let stream: MaskingStream;
    if (!maskedOnArrival(ctx, plan)) stream = await this.opened(ctx, plan, ahead);
    else {
      const opened = ahead || this.client.recentlyAbsent() ? await this.opened(ctx, plan, ahead) : undefined;
      stream = new DocumentMasking(this.client, ctx.requestId, plan.profile, opened);
    }
    maskableRequestHeaders(ctx.exchange.req.headers);
    return { ...ctx, stage: 'prepared', masking: { ...plan, stream } };
  }

  private async opened(ctx: Cleared, plan: MaskingPlan, ahead: Promise<MaskingStream> | undefined): Promise<MaskingStream> {
    try {
      return await (ahead ?? this.client.open(ctx.requestId, plan.mode, plan.profile));
    } catch (e) {
      throw new GatewayFailure({ kind: 'masking-unavailable', message: e instanceof Error ? e.message : 'masking unavailable', forwarded: false });
    }
  }
}
