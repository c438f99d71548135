import { Controller, type Type } from '@nestjs/common';
import { Ctx, MessagePattern, NatsContext, Payload } from '@nestjs/microservices';
import { context } from '@opentelemetry/api';
import { startMessageSpan } from '@chaperone/bus';
import type { BusSubjects } from '@chaperone/contracts';
import { ApprovalRequests } from './approval-requests';

/**
 * The NATS endpoints of the approval service (queue group `<p>-approval`). Built per module
 * instance because the subjects carry the configured bus prefix.
 */
export function approvalEndpoints(subjects: BusSubjects): Type<unknown> {
  @Controller()
  class ApprovalEndpoints {
    constructor(private readonly requests: ApprovalRequests) {}

    @MessagePattern(subjects.approvalOpen)
    open(@Payload() raw: unknown, @Ctx() ctx: NatsContext) {
      return traced('approval.open', ctx, () => this.requests.open(raw));
    }

    @MessagePattern(subjects.approvalClaim)
    claim(@Payload() raw: unknown, @Ctx() ctx: NatsContext) {
      return traced('approval.claim', ctx, () => this.requests.claim(raw));
    }

    @MessagePattern(subjects.approvalGet)
    get(@Payload() raw: unknown) {
      return this.requests.get(raw);
    }

    @MessagePattern(subjects.approvalCancel)
    cancel(@Payload() raw: unknown, @Ctx() ctx: NatsContext) {
      return traced('approval.cancel', ctx, () => this.requests.cancel(raw));
    }
  }
  return ApprovalEndpoints;
}

/** Run a handler in a span of the sender's trace, when the message carries one (tracing off: as is). */
async function traced<T>(name: string, ctx: NatsContext, handle: () => Promise<T>): Promise<T> {
  const headers = ctx.getHeaders() as Parameters<typeof startMessageSpan>[1]['headers'];
  const span = headers ? startMessageSpan(name, { headers, subject: ctx.getSubject() }) : undefined;
  if (!span) return handle();
  try {
    return await context.with(span.ctx, handle);
  } finally {
    span.span.end();
  }
}
