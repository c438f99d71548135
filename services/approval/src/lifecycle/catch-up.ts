import { Logger } from '@nestjs/common';
import { APPROVAL_STREAM_PREFIX } from '@chaperone/contracts';
import type { CatchUpSubscription, EventStore } from '@chaperone/event-store';
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
  private nextPosition = 0;
  private live = false;
  private stopped = false;

  constructor(
    private readonly store: EventStore,
    private readonly readModel: ApprovalReadModel,
  ) {}

  get healthy(): boolean {
    return this.live;
  }

  async start(): Promise<void> {
    for (;;) {
      const page = await this.store.readAll({ fromPosition: this.nextPosition, maxCount: PAGE, streamPrefix: APPROVAL_STREAM_PREFIX });
      for (const recorded of page) {
        await this.readModel.applyRecorded(recorded);
        this.nextPosition = recorded.globalPosition + 1;
      }
      if (page.length < PAGE) break;
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
      { fromPosition: this.nextPosition, streamPrefix: APPROVAL_STREAM_PREFIX },
      async (recorded) => {
        await this.readModel.applyRecorded(recorded);
        this.nextPosition = recorded.globalPosition + 1;
      },
      (err) => {
        this.live = false;
        if (this.stopped) return;
        this.logger.warn(`event store subscription failed (${err.message}); resubscribing from position ${this.nextPosition}`);
        setTimeout(() => void this.resubscribe(), RESUBSCRIBE_MS).unref();
      },
    );
    this.live = true;
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
