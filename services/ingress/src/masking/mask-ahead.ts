import { Injectable } from '@nestjs/common';
import { selfReviewKind, type MaskMode } from '@chaperone/contracts';
import { isRecorded, type Intercepted, type MaskingOpenedAhead, type MaskingPlan, type MaskingStream, type Recorded, type RequestContext } from '../context/request-context';
import { MaskingClient } from '../masking-client/masking-client';
import { DocumentMasking } from './document-masking';
import { MaskingHints } from './masking-hints';
import { maskedOnArrival, maskModeOf } from './masking-plan';

/**
 * Stage 2b: open the masking stream while policy decides, when the last request of this kind
 * needed one (a write, a watch, logs, or a get or list whose document was too large for one
 * request; a small document needs no stream). It saves the open's round trip on the request path.
 * Nothing changes for correctness: the decision still plans the masking, a stream it does not need
 * is closed unused, and nothing that needs a stream is forwarded before it is open.
 */
@Injectable()
export class MaskAhead {
  private readonly hints = new MaskingHints();

  constructor(private readonly client: MaskingClient) {}

  run(ctx: Intercepted): Intercepted {
    const key = hintKey(ctx);
    const profile = key === undefined ? undefined : this.hints.profileFor(key);
    if (key === undefined || profile === undefined || !ctx.info.isResourceRequest) return ctx;
    const mode = maskModeOf(ctx.info);
    return { ...ctx, maskingAhead: new OpenedAhead(key, mode, profile, this.client.open(ctx.requestId, mode, profile)) };
  }

  /**
   * The exchange ended: a stream opened ahead and not used is released, and the hint for its kind
   * of request becomes what this decision planned (nothing, when it was not masked, held for
   * approval, or never decided).
   */
  settle(reached: RequestContext): void {
    if (!isRecorded(reached)) return;
    const ahead = reached.maskingAhead;
    ahead?.release();
    const planned = hintOf(reached);
    // Without a stream opened ahead there was no hint to correct: only a masked decision adds one.
    const key = ahead?.kind ?? (planned === undefined ? undefined : hintKey(reached));
    if (key !== undefined) this.hints.learn(key, planned);
  }
}

/**
 * What the next request of this kind should open ahead: the profile this decision planned, when its
 * response needed a stream. A get or list answered by a document small enough for one request needs
 * none (nor does an unmasked, held or undecided request); one whose document was fed in batches did.
 */
function hintOf(reached: Recorded): string | undefined {
  if (!('maskingPlan' in reached) || reached.decision.effect === 'approve' || !reached.maskingPlan) return undefined;
  if (!maskedOnArrival(reached, reached.maskingPlan)) return reached.maskingPlan.profile;
  const stream = 'masking' in reached ? reached.masking?.stream : undefined;
  return stream instanceof DocumentMasking && stream.fed ? reached.maskingPlan.profile : undefined;
}

/** Plain HTTP resource requests only: upgrades plan their own masking, self reviews are never forwarded. */
function hintKey(ctx: Recorded): string | undefined {
  if (ctx.exchange.kind !== 'http' || !ctx.info.isResourceRequest || selfReviewKind(ctx.info)) return undefined;
  return MaskingHints.keyOf(ctx.refs.identity, ctx.info);
}

class OpenedAhead implements MaskingOpenedAhead {
  private settled = false;

  constructor(
    readonly kind: string,
    private readonly mode: MaskMode,
    private readonly profile: string,
    private readonly opening: Promise<MaskingStream>,
  ) {
    // Awaited only if the plan takes it; a failure nobody takes is not an error.
    opening.catch(() => undefined);
  }

  take(plan: MaskingPlan): Promise<MaskingStream> | undefined {
    if (this.settled || plan.mode !== this.mode || plan.profile !== this.profile) return undefined;
    this.settled = true;
    return this.opening;
  }

  release(): void {
    if (this.settled) return;
    this.settled = true;
    void this.opening.then(
      (stream) => stream.close(),
      () => undefined,
    );
  }
}
