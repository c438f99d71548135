import { Logger } from '@nestjs/common';
import type { Stored } from '../lifecycle/approval-lifecycle';
import type { PublicUrl } from './public-url';
import { isNotified, slackPayload } from './slack-payload';

export interface WebhookOptions {
  url: string;
  /** Attempts per notification, the first included. */
  attempts: number;
  /** Delay before the second attempt; doubled each time, capped at 30 s. */
  firstBackoffMs?: number;
  timeoutMs?: number;
}

const MAX_BACKOFF_MS = 30_000;

/**
 * Posts a Slack-compatible message for each request and each decision. It runs on the replica that
 * stored the event (see ApprovalLifecycle), so each event is sent once; a failed post is retried
 * with exponential backoff, a bounded number of times, without holding up the gateway's reply.
 * Redirects are not followed and the URL is never logged (a Slack webhook URL is a credential).
 */
export class WebhookNotifier {
  private readonly logger = new Logger('WebhookNotifier');
  private readonly inFlight = new Set<Promise<void>>();
  private stopped = false;

  constructor(
    private readonly options: WebhookOptions,
    private readonly publicUrl: PublicUrl,
  ) {}

  notify(stored: Stored): void {
    for (const event of stored.events) {
      if (!isNotified(event)) continue;
      const body = JSON.stringify(slackPayload(event, stored.state, this.publicUrl.approval(stored.approvalId)));
      const sending = this.send(body, `${event.type} of approval ${stored.approvalId}`).finally(() => this.inFlight.delete(sending));
      this.inFlight.add(sending);
    }
  }

  /** Lets pending retries finish (or gives up waiting after `graceMs`) at shutdown. */
  async stop(graceMs = 2_000): Promise<void> {
    this.stopped = true;
    await Promise.race([Promise.allSettled([...this.inFlight]), new Promise((r) => setTimeout(r, graceMs).unref())]);
  }

  private async send(body: string, what: string): Promise<void> {
    const first = this.options.firstBackoffMs ?? 500;
    for (let attempt = 1; attempt <= this.options.attempts; attempt++) {
      let problem: string;
      try {
        const res = await fetch(this.options.url, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body,
          redirect: 'manual',
          signal: AbortSignal.timeout(this.options.timeoutMs ?? 10_000),
        });
        await res.arrayBuffer().catch(() => undefined);
        if (res.status >= 200 && res.status < 300) return;
        problem = `HTTP ${res.status}`;
      } catch (e) {
        problem = e instanceof Error ? e.name : 'network error';
      }
      if (attempt === this.options.attempts || this.stopped) {
        this.logger.error(`webhook for ${what} failed after ${attempt} attempt(s) (last: ${problem}); giving up`);
        return;
      }
      const delay = Math.min(first * 2 ** (attempt - 1), MAX_BACKOFF_MS);
      this.logger.warn(`webhook for ${what} failed (${problem}); attempt ${attempt + 1} in ${delay} ms`);
      await new Promise((r) => setTimeout(r, delay));
    }
  }
}
