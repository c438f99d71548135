import { Injectable } from '@nestjs/common';
import { performance } from 'node:perf_hooks';
import type { ChaperoneEvent, MaskReport } from '@chaperone/contracts';
import { newEvent, systemClock } from '../events/event-factory';
import { EvidenceWriter } from '../evidence/evidence-writer';
import type { Recorded, ResponseMasking } from '../context/request-context';
import type { CapturedBody } from '../recording/body-capture';
import { Recorder } from '../recording/recorder';
import { completionOf } from './completion-of';

/**
 * Last stage: every intercepted request ends with exactly one RequestCompleted (and, for a masked
 * response, its MaskingApplied). A bounded response stores it before its last byte is released; a
 * stream, a refusal or an agent that left stores it when the exchange ends. Recorded bodies are
 * named in it by digest; their bytes go to the blob store afterwards, off the critical path.
 */
@Injectable()
export class Complete {
  constructor(
    private readonly evidence: EvidenceWriter,
    private readonly recorder: Recorder,
  ) {}

  /**
   * Store the completion before the response's last byte. If the bus cannot take it, the answer is
   * not released (the caller cuts it) and the completion is retried in the background as aborted.
   */
  async beforeLastByte(ctx: Recorded, masking?: ResponseMasking): Promise<void> {
    if (!ctx.response.claimCompletion()) return;
    ctx.response.finished = true;
    const bodies = finishCaptures(ctx);
    const start = performance.now();
    try {
      await this.evidence.durably(...this.events(ctx, masking, bodies));
    } catch (e) {
      ctx.response.finished = false;
      this.evidence.inBackground(...this.events(ctx, masking, bodies));
      this.saveBodies(ctx, bodies);
      throw e;
    } finally {
      ctx.steps.since('complete', start);
    }
    this.saveBodies(ctx, bodies);
  }

  /** Store the completion without holding anything up (the exchange has ended). */
  atEnd(ctx: Recorded, masking?: ResponseMasking): void {
    if (!ctx.response.claimCompletion()) return;
    const bodies = finishCaptures(ctx);
    this.evidence.inBackground(...this.events(ctx, masking, bodies));
    this.saveBodies(ctx, bodies);
  }

  private saveBodies(ctx: Recorded, bodies: Bodies): void {
    const stored = [
      ...(bodies.request ? [{ which: 'request' as const, body: bodies.request }] : []),
      ...(bodies.response ? [{ which: 'response' as const, body: bodies.response }] : []),
    ];
    this.recorder.save(ctx.refs, stored, (deferred) => this.evidence.inBackground(...deferred));
  }

  private events(ctx: Recorded, masking: ResponseMasking | undefined, bodies: Bodies): ChaperoneEvent[] {
    const approvalId = ('approvalId' in ctx ? ctx.approvalId : undefined) ?? ctx.response.approvalId;
    const payload = completionOf(ctx.response, performance.now() - ctx.started, approvalId, { request: bodies.request?.recorded, response: bodies.response?.recorded });
    const completed = newEvent.requestCompleted(systemClock, ctx.refs, payload);
    ctx.span.setAttribute('http.response.status_code', completed.payload.status);
    if (!masking?.stream.report) return [completed];
    return [maskingApplied(ctx, masking, masking.stream.report), completed];
  }
}

interface Bodies {
  request: CapturedBody | undefined;
  response: CapturedBody | undefined;
}

/** The captured bodies, once: what the agent sent, and what it received (all of it, or up to where it left). */
function finishCaptures(ctx: Recorded): Bodies {
  const { request, response } = ctx.response;
  return { request: request?.finish(), response: response?.finish() };
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
