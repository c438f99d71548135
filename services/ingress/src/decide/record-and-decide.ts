import { Injectable } from '@nestjs/common';
import { GatewayFailure } from '../errors/gateway-errors';
import { EvidenceWriter } from '../evidence/evidence-writer';
import type { Decided, Intercepted } from '../context/request-context';
import { PolicyClient } from './policy-client';

/**
 * Stage 3: record the intercept and get the policy's decision, both durably stored before anything
 * can be forwarded. The decide request carries the intercept, and policy stores it with its decision
 * in one write before replying. A deny ends the chain here; allow, mask and approve go on.
 */
@Injectable()
export class RecordAndDecide {
  constructor(
    private readonly policy: PolicyClient,
    private readonly evidence: EvidenceWriter,
  ) {}

  async run(ctx: Intercepted): Promise<Decided> {
    let decided;
    try {
      decided = await this.policy.decide({ schemaVersion: 2, intercepted: { ...ctx.intercepted, identity: ctx.refs.identity } });
    } catch (e) {
      // No decision: the intercept is recorded here, for the refused request's evidence (the audit
      // keeps one copy if policy stored it after all).
      this.evidence.inBackground(ctx.intercepted);
      throw e;
    }
    const { decision, decisionEventId } = decided;
    ctx.span.setAttributes({ 'chaperone.effect': decision.effect, 'chaperone.rule': decision.rule });
    if (decision.effect === 'deny') {
      throw new GatewayFailure({ kind: 'denied', rule: decision.rule, reason: decision.reason, policyVersion: decision.policyVersion });
    }
    return { ...ctx, stage: 'decided', decision, decisionEventId };
  }
}
