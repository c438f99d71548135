import { Inject, Injectable, Logger } from '@nestjs/common';
import { EventNotRecorded, GroupCommit, type DurableEventPublisher } from '@chaperone/bus';
import type { ChaperoneEvent } from '@chaperone/contracts';
import { EVENTS } from '@chaperone/service-runtime';
import { GatewayFailure } from '../errors/gateway-errors';

/** Background writes are retried this long (a NATS restart, a full backlog) before they are given up and logged. */
const RETRY_FOR_MS = 120_000;
const FIRST_RETRY_MS = 250;
const MAX_RETRY_MS = 5_000;

/** Stores evidence events on the bus: durably before the caller goes on, or in the background. */
@Injectable()
export class EvidenceWriter {
  private readonly logger = new Logger('Evidence');
  /** Background writes still being retried (visible to tests and shutdown). */
  retrying = 0;

  private readonly commit: GroupCommit;

  constructor(@Inject(EVENTS) events: DurableEventPublisher) {
    // Completions come from the callbacks of several sockets (the cluster's responses): one loop turn.
    this.commit = new GroupCommit(events, 'loop');
  }

  /**
   * Resolves once the bus has stored every event (a request's events together, in one message with
   * whatever other requests wrote in the same event-loop round: a group commit); a failure is the
   * typed `bus-unavailable` (503).
   */
  async durably(...events: ChaperoneEvent[]): Promise<void> {
    const [first, ...rest] = events;
    if (!first) return;
    try {
      await this.commit.write([first, ...rest]);
    } catch (e) {
      throw new GatewayFailure({ kind: 'bus-unavailable', message: e instanceof EventNotRecorded ? e.message : 'publish failed' });
    }
  }

  /**
   * Stores events without holding up the caller. A failed write is retried with backoff for a
   * while (the bus dedupes by event id, so a write that did land is not stored twice); one that
   * still fails is logged (never the events' content).
   */
  inBackground(...events: ChaperoneEvent[]): void {
    void this.withRetries(events);
  }

  private async withRetries(events: ChaperoneEvent[]): Promise<void> {
    const giveUpAt = Date.now() + RETRY_FOR_MS;
    let wait = FIRST_RETRY_MS;
    let counted = false;
    for (;;) {
      try {
        await this.durably(...events);
        if (counted) this.retrying--;
        return;
      } catch (e) {
        if (Date.now() + wait > giveUpAt) {
          if (counted) this.retrying--;
          const why = e instanceof GatewayFailure && e.error.kind === 'bus-unavailable' ? e.error.message : String(e);
          this.logger.error(`${events.map((ev) => ev.type).join('+')} for request ${events[0]?.requestId ?? '?'} was not recorded: ${why}`);
          return;
        }
        if (!counted) {
          counted = true;
          this.retrying++;
        }
        await new Promise((r) => setTimeout(r, wait).unref());
        wait = Math.min(MAX_RETRY_MS, wait * 2);
      }
    }
  }
}
