import { Injectable } from '@nestjs/common';
import { GatewayFailure } from '../errors/gateway-errors';
import type { Decided, Planned } from '../context/request-context';
import { maskingPlan } from './masking-plan';

/**
 * Stage 4: decide how the response will be masked, before a human is asked to approve anything.
 * Upgraded sessions (exec, attach, port-forward) carry raw terminal and socket bytes that cannot be
 * masked: they run only where an allow rule explicitly lets responses through unmasked.
 */
@Injectable()
export class PlanMasking {
  run(ctx: Decided): Planned {
    const plan = maskingPlan(ctx.info, ctx.decision);
    if (ctx.exchange.kind === 'upgrade' && !ctx.decision.unmasked) {
      const what = ctx.info.isResourceRequest ? ctx.info.subresource || 'upgraded' : 'upgraded';
      throw new GatewayFailure({ kind: 'masking-unavailable', message: `${what} sessions cannot be masked; the policy must allow them with unmasked: true`, forwarded: false });
    }
    return { ...ctx, stage: 'planned', maskingPlan: plan };
  }
}
