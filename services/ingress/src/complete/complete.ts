import { Injectable } from '@nestjs/common';
import { performance } from 'node:perf_hooks';
import type { ChaperoneEvent, MaskReport } from '@chaperone/contracts';
import { newEvent, systemClock, type EventClock } from '../events/event-factory';
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
    const events = this.events(ctx, masking, bodies, systemClock);
    const start = performance.now();
    try {
      await this.evidence.durably(...events);
    } catch (e) {
      ctx.response.finished = false;
      // The write may have been stored after all (its acknowledgement lost with the bus). The
      // retry keeps its event ids, so one of the two is stored, never both: the first if it
      // landed (it then says what was about to be released), else this one, which says aborted.
      this.evidence.inBackground(...this.events(ctx, masking, bodies, reusingIds(events)));
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
    this.evidence.inBackground(...this.events(ctx, masking, bodies, systemClock));
    this.saveBodies(ctx, bodies);
  }

  private saveBodies(ctx: Recorded, bodies: Bodies): void {
    const stored = [
      ...(bodies.request ? [{ which: 'request' as const, body: bodies.request }] : []),
      ...(bodies.response ? [{ which: 'response' as const, body: bodies.response }] : []),
    ];
    this.recorder.save(ctx.refs, stored, (deferred) => this.evidence.inBackground(...deferred));
  }

  private events(ctx: Recorded, masking: ResponseMasking | undefined, bodies: Bodies, clock: EventClock): ChaperoneEvent[] {
    const approvalId = ('approvalId' in ctx ? ctx.approvalId : undefined) ?? ctx.response.approvalId;
    const payload = completionOf(ctx.response, performance.now() - ctx.started, approvalId, { request: bodies.request?.recorded, response: bodies.response?.recorded });
    // Built in the order they are returned: a clock that hands ids out again (reusingIds) matches them.
    const applied = masking?.stream.report ? maskingApplied(clock, ctx, masking, masking.stream.report) : undefined;
    const completed = newEvent.requestCompleted(clock, ctx.refs, payload);
    ctx.span.setAttribute('http.response.status_code', completed.payload.status);
    return applied ? [applied, completed] : [completed];
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

/** The system clock, handing out the ids of `first` in their order: a second build of the same events gets the same ids. */
function reusingIds(first: readonly ChaperoneEvent[]): EventClock {
  const ids = first.map((e) => e.eventId);
  let next = 0;
  return { now: systemClock.now, newId: () => ids[next++] as string };
}

function maskingApplied(clock: EventClock, ctx: Recorded, masking: ResponseMasking, report: MaskReport): ChaperoneEvent {
  return newEvent.maskingApplied(clock, ctx.refs, {
    mode: masking.mode,
    profile: masking.profile,
    count: report.count,
    paths: report.paths.slice(0, 200),
    detectors: report.detectors,
  });
}
