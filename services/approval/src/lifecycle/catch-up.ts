import { Logger } from '@nestjs/common';
import { APPROVAL_STREAM_PREFIX } from '@chaperone/contracts';
import { ResumePoint, type CatchUpSubscription, type EventStore, type RecordedEvent } from '@chaperone/event-store';
import type { ApprovalReadModel } from './read-model';

const PAGE = 500;
const RESUBSCRIBE_MS = 1_000;

/**
 * Keeps the read model in step with the event store: at start, reads every stored approval event
 * (only `approval-*` streams: the store skips the others before decoding them) before the service answers anything; then follows new events live,
 * resubscribing from the last position if the subscription fails.
 */
export class ReadModelFeed {
  private readonly logger = new Logger('ReadModelFeed');
  private subscription: CatchUpSubscription | undefined;
  /** Events of one append may share a position: a page or a failure that cut one resumes inside it. */
  private readonly resume = new ResumePoint();
  private live = false;
  private stopped = false;

  constructor(
    private readonly store: EventStore,
    private readonly readModel: ApprovalReadModel,
    private readonly pageSize = PAGE,
  ) {}

  get healthy(): boolean {
    return this.live;
  }

  async start(): Promise<void> {
    for (;;) {
      // The events applied at the resume position come back first and are skipped: asked for on
      // top of the page, however many events share that position.
      const maxCount = this.pageSize + this.resume.appliedHere;
      const page = await this.store.readAll({ fromPosition: this.resume.position, maxCount, streamPrefix: APPROVAL_STREAM_PREFIX });
      for (const recorded of page) await this.apply(recorded);
      if (page.length < maxCount) break;
    }
    await this.follow();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.live = false;
    await this.subscription?.close();
  }

  private async follow(): Promise<void> {
    this.subscription = await this.store.subscribeToAll(
      { fromPosition: this.resume.position, streamPrefix: APPROVAL_STREAM_PREFIX },
      async (recorded) => void (await this.apply(recorded)),
      (err) => {
        this.live = false;
        if (this.stopped) return;
        this.logger.warn(`event store subscription failed (${err.message}); resubscribing from position ${this.resume.position}`);
        setTimeout(() => void this.resubscribe(), RESUBSCRIBE_MS).unref();
      },
    );
    this.live = true;
  }

  /** Applies an event not applied yet; false for one read again. */
  private async apply(recorded: RecordedEvent): Promise<boolean> {
    if (!this.resume.isNew(recorded)) return false;
    await this.readModel.applyRecorded(recorded);
    this.resume.passed(recorded);
    return true;
  }

  private async resubscribe(): Promise<void> {
    if (this.stopped) return;
    try {
      await this.follow();
    } catch (e) {
      this.logger.warn(`resubscribing failed (${e instanceof Error ? e.message : String(e)}); retrying`);
      setTimeout(() => void this.resubscribe(), RESUBSCRIBE_MS).unref();
    }
  }
}
