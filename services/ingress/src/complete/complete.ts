import { Injectable } from '@nestjs/common';
import { performance } from 'node:perf_hooks';
import type { ChaperoneEvent, MaskReport } from '@chaperone/contracts';
import { newEvent, systemClock } from '../events/event-factory';
import { EvidenceWriter } from '../evidence/evidence-writer';
import type { Recorded, ResponseMasking } from '../context/request-context';
import { completionOf } from './completion-of';

/**
 * Last stage: every intercepted request ends with exactly one RequestCompleted (and, for a masked
 * response, its MaskingApplied). A bounded response stores it before its last byte is released; a
 * stream, a refusal or an agent that left stores it when the exchange ends.
 */
@Injectable()
export class Complete {
  constructor(private readonly evidence: EvidenceWriter) {}

  /**
   * Store the completion before the response's last byte. If the bus cannot take it, the answer is
   * not released (the caller cuts it) and the completion is retried in the background as aborted.
   */
  async beforeLastByte(ctx: Recorded, masking?: ResponseMasking): Promise<void> {
    if (!ctx.response.claimCompletion()) return;
    ctx.response.finished = true;
    const events = this.events(ctx, masking);
    try {
      await this.evidence.durably(...events);
    } catch (e) {
      ctx.response.finished = false;
      this.evidence.inBackground(...this.events(ctx, masking));
      throw e;
    }
  }

  /** Store the completion without holding anything up (the exchange has ended). */
  atEnd(ctx: Recorded, masking?: ResponseMasking): void {
    if (!ctx.response.claimCompletion()) return;
    this.evidence.inBackground(...this.events(ctx, masking));
  }

  private events(ctx: Recorded, masking: ResponseMasking | undefined): ChaperoneEvent[] {
    const completed = newEvent.requestCompleted(systemClock, ctx.refs, completionOf(ctx.response, performance.now() - ctx.started, ('approvalId' in ctx ? ctx.approvalId : undefined) ?? ctx.response.approvalId));
    ctx.span.setAttribute('http.response.status_code', completed.payload.status);
    if (!masking?.stream.report) return [completed];
    return [maskingApplied(ctx, masking, masking.stream.report), completed];
  }
}

function maskingApplied(ctx: Recorded, masking: ResponseMasking, report: MaskReport): ChaperoneEvent {
  return newEvent.maskingApplied(systemClock, ctx.refs, {
    mode: masking.mode,
    profile: masking.profile,
    count: report.count,
    paths: report.paths.slice(0, 200),
    detectors: report.detectors,
  });
}
