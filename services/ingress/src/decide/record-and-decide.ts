import { Injectable } from '@nestjs/common';
import { GatewayFailure } from '../errors/gateway-errors';
import { EvidenceWriter } from '../evidence/evidence-writer';
import type { Decided, Intercepted } from '../context/request-context';
import { PolicyClient } from './policy-client';

/**
 * Stage 3: record the intercept and get the policy's decision, both durably stored before anything
 * can be forwarded. The intercept is being stored while policy decides (and stores its decision
 * before replying). A deny ends the chain here; allow, mask and approve go on.
 */
@Injectable()
export class RecordAndDecide {
  constructor(
    private readonly policy: PolicyClient,
    private readonly evidence: EvidenceWriter,
  ) {}

  async run(ctx: Intercepted): Promise<Decided> {
    const stored = this.evidence.durably(ctx.intercepted);
    const decided = this.policy.decide({
      schemaVersion: 1,
      interceptEventId: ctx.intercepted.eventId,
      requestId: ctx.requestId,
      sessionId: ctx.refs.sessionId,
      traceId: ctx.refs.traceId,
      identity: ctx.refs.identity,
      request: ctx.info,
    });
    const [storedResult, decidedResult] = await Promise.allSettled([stored, decided]);
    if (storedResult.status === 'rejected') throw storedResult.reason;
    if (decidedResult.status === 'rejected') throw decidedResult.reason;
    const { decision, decisionEventId } = decidedResult.value;
    ctx.span.setAttributes({ 'chaperone.effect': decision.effect, 'chaperone.rule': decision.rule });
    if (decision.effect === 'deny') {
      throw new GatewayFailure({ kind: 'denied', rule: decision.rule, reason: decision.reason, policyVersion: decision.policyVersion });
    }
    return { ...ctx, stage: 'decided', decision, decisionEventId };
  }
}
