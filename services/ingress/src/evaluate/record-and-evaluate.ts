import { Injectable } from '@nestjs/common';
import { performance } from 'node:perf_hooks';
import { selfReviewKind, type SelfReviewSpec } from '@chaperone/contracts';
import { GatewayFailure } from '../errors/gateway-errors';
import { EvidenceWriter } from '../evidence/evidence-writer';
import type { Decided, Intercepted } from '../context/request-context';
import { readReview } from '../review/read-review';
import { PolicyClient } from './policy-client';

/**
 * Stage 3: record the intercept and get the policy's decision, both durably stored before anything
 * can be forwarded. The evaluation request carries the intercept, and policy stores it with its decision
 * in one write before replying. A deny ends the chain here; allow, mask and approve go on.
 */
@Injectable()
export class RecordAndEvaluate {
  constructor(
    private readonly policy: PolicyClient,
    private readonly evidence: EvidenceWriter,
  ) {}

  async run(ctx: Intercepted): Promise<Decided> {
    let decided;
    let review: SelfReviewSpec | undefined;
    try {
      // kubectl auth can-i: the question is in the body, and policy answers it (never the cluster).
      const reviewKind = ctx.exchange.kind === 'http' ? selfReviewKind(ctx.info) : undefined;
      if (reviewKind && ctx.exchange.kind === 'http') review = await readReview(ctx.exchange.req, reviewKind);
      const start = performance.now();
      try {
        decided = await this.policy.evaluate({ schemaVersion: 2, intercepted: { ...ctx.intercepted, identity: ctx.refs.identity }, ...(review ? { review } : {}) });
      } finally {
        ctx.steps.since('decide', start);
      }
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
    if (review) {
      // Fail closed: a self review is answered by policy or not at all, never forwarded.
      if (decided.review?.kind !== review.kind) throw new GatewayFailure({ kind: 'policy-unavailable', message: 'the policy service did not answer the review' });
      return { ...ctx, stage: 'decided', decision, decisionEventId, review: { spec: review, answer: decided.review } };
    }
    return { ...ctx, stage: 'decided', decision, decisionEventId };
  }
}
