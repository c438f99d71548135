import { Injectable } from '@nestjs/common';
import { SELF_REVIEW_GROUP, SelfReviewKinds, type SelfReviewAnswer, type SelfReviewSpec } from '@chaperone/contracts';
import { Complete } from '../complete/complete';
import type { Decided } from '../context/request-context';

/**
 * The answer to a self review (kubectl auth can-i), instead of forwarding: the review object with
 * the status the policy service computed, as the API server would return it (201). Its completion
 * is stored before the answer is released, like any bounded response's.
 */
@Injectable()
export class AnswerReview {
  constructor(private readonly complete: Complete) {}

  async run(ctx: Decided, spec: SelfReviewSpec, answer: SelfReviewAnswer): Promise<void> {
    if (ctx.exchange.kind !== 'http') return;
    const { res } = ctx.exchange;
    const version = ctx.info.isResourceRequest && ctx.info.apiVersion ? ctx.info.apiVersion : 'v1';
    const body = Buffer.from(
      JSON.stringify({
        kind: SelfReviewKinds[answer.kind].kind,
        apiVersion: `${SELF_REVIEW_GROUP}/${version}`,
        metadata: { creationTimestamp: null },
        spec: specOf(spec),
        status: answer.status,
      }),
    );
    ctx.response.gatewayStatus = 201;
    ctx.response.bytesOut = body.length;
    await this.complete.beforeLastByte(ctx);
    res.writeHead(201, { 'content-type': 'application/json', 'content-length': body.length });
    res.end(body);
  }
}

function specOf(spec: SelfReviewSpec): object {
  const { kind, ...rest } = spec;
  void kind;
  return rest;
}
