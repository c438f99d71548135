import { Injectable } from '@nestjs/common';
import type { Decided, Planned } from '../context/request-context';
import { sessionMaskingPlan } from '../sessions/session-masking-plan';
import { maskingPlan } from './masking-plan';

/**
 * Stage 4: plan how the response will be masked, before a human is asked to approve anything.
 * Upgraded sessions have a plan of their own: output without a terminal is masked line by line;
 * a terminal session or a port-forward carries bytes that cannot be masked, so it runs only where
 * an allow rule explicitly lets responses through unmasked.
 */
@Injectable()
export class PlanMasking {
  run(ctx: Decided): Planned {
    const plan = ctx.exchange.kind === 'upgrade' ? sessionMaskingPlan(ctx.info, ctx.query, ctx.decision) : maskingPlan(ctx.info, ctx.decision);
    return { ...ctx, stage: 'planned', maskingPlan: plan };
  }
}
