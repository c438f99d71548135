import { Logger } from '@nestjs/common';
import { ApprovalError, NotYetExpired } from '../approvals';
import type { ApprovalLifecycle } from '../lifecycle/approval-lifecycle';
import type { ApprovalReadModel, KnownApproval } from '../lifecycle/read-model';
import type { Clock } from '../tokens';

/** setTimeout's ceiling (~24.8 days); a longer wait is re-armed when it fires. */
const MAX_DELAY_MS = 2 ** 31 - 1;
/** After a store failure, try again this much later. */
const RETRY_MS = 2_000;

/**
 * A timer per pending approval, on EVERY replica: whichever fires first appends ApprovalExpired;
 * the others' appends lose on the expected revision, re-read, and find the approval settled.
 * So a pending approval expires exactly once, and does so even while some replicas are down.
 */
export class ExpiryTimers {
  private readonly logger = new Logger('ExpiryTimers');
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private stopped = false;

  constructor(
    private readonly lifecycle: ApprovalLifecycle,
    private readonly clock: Clock,
  ) {}

  /** Follows the read model: arm on pending, disarm on anything else. */
  watch(readModel: ApprovalReadModel): void {
    for (const state of readModel.all()) this.track(state.terms.approvalId, state);
    readModel.onChange((approvalId, state) => this.track(approvalId, state));
  }

  track(approvalId: string, state: KnownApproval): void {
    if (state.status !== 'pending') return this.disarm(approvalId);
    if (!this.timers.has(approvalId)) this.arm(approvalId, Date.parse(state.terms.expiresAt) - this.clock().getTime());
  }

  stop(): void {
    this.stopped = true;
    for (const timer of this.timers.values()) clearTimeout(timer);
    this.timers.clear();
  }

  private arm(approvalId: string, delayMs: number): void {
    if (this.stopped) return;
    const timer = setTimeout(() => void this.fire(approvalId), Math.min(Math.max(delayMs, 0), MAX_DELAY_MS));
    timer.unref();
    this.timers.set(approvalId, timer);
  }

  private disarm(approvalId: string): void {
    const timer = this.timers.get(approvalId);
    if (timer) clearTimeout(timer);
    this.timers.delete(approvalId);
  }

  private async fire(approvalId: string): Promise<void> {
    this.timers.delete(approvalId);
    try {
      await this.lifecycle.run({ type: 'Expire', data: { approvalId } });
      this.logger.log(`approval ${approvalId} expired`);
    } catch (e) {
      if (e instanceof NotYetExpired) return this.arm(approvalId, Date.parse(e.expiresAt) - this.clock().getTime());
      // Settled meanwhile (here or on another replica): nothing to do.
      if (e instanceof ApprovalError) return;
      this.logger.warn(`approval ${approvalId} could not be expired yet: ${e instanceof Error ? e.message : String(e)}; retrying`);
      this.arm(approvalId, RETRY_MS);
    }
  }
}
