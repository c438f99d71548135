import { Controller, type Type } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
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
    open(@Payload() raw: unknown) {
      return this.requests.open(raw);
    }

    @MessagePattern(subjects.approvalClaim)
    claim(@Payload() raw: unknown) {
      return this.requests.claim(raw);
    }

    @MessagePattern(subjects.approvalGet)
    get(@Payload() raw: unknown) {
      return this.requests.get(raw);
    }

    @MessagePattern(subjects.approvalCancel)
    cancel(@Payload() raw: unknown) {
      return this.requests.cancel(raw);
    }
  }
  return ApprovalEndpoints;
}
