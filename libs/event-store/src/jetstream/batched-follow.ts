import type { Consumer, ConsumerMessages, JetStreamClient, JsMsg } from 'nats';
import type { CatchUpSubscription } from '../port';

export interface BatchedFollowOptions {
  js: JetStreamClient;
  streamName: string;
  filter: string;
  /** Deliver each message's headers without its body. */
  headersOnly?: boolean;
  /** Stream sequence of the first message to deliver (≥ 1). */
  from: number;
  /** Pause between two looks at the stream when it had nothing more. */
  batchMs: number;
  /** Longest wait for a batch the server has already counted as pending. */
  timeoutMs: number;
  /** Gets each message in stream order; a throw stops the follow (reported through onError). */
  deliver(m: JsMsg): Promise<void> | void;
  onError?: (err: Error) => void;
}

/** Most messages one pull asks for: a long catch-up goes in pulls of this size, back to back. */
export const MAX_BATCH = 1000;

/** The handler's own failure, told apart from the bus's. */
class HandlerFailed extends Error {
  constructor(override readonly cause: unknown) {
    super(cause instanceof Error ? cause.message : String(cause));
  }
}

/**
 * Follows a stream in batches. Live delivery as the server does it (one pending pull, each new
 * message pushed as it is stored) costs the server a write and the reader a read and a wake-up per
 * message. Here the reader asks how many messages wait (consumer info), pulls exactly that many
 * in one request (the server sends them back to back, so they cross the socket in a few writes),
 * then pauses `batchMs`. An ordered consumer (ephemeral, no acks) keeps order; whenever a pull
 * ends short (a gap, a reconnect, the server lost the consumer) or the bus fails, the follow opens
 * a new one from the next sequence it has not delivered: nothing skipped, nothing twice.
 */
export async function followInBatches(o: BatchedFollowOptions): Promise<CatchUpSubscription> {
  let next = Math.max(o.from, 1);
  const open = (): Promise<Consumer> =>
    o.js.consumers.get(o.streamName, { filterSubjects: o.filter, headers_only: o.headersOnly ?? false, ...(next > 1 ? { opt_start_seq: next } : {}) });
  let consumer = await open();
  let stopped = false;
  let current: ConsumerMessages | undefined;
  let wake: (() => void) | undefined;
  const pause = (ms: number): Promise<void> =>
    new Promise((resolve) => {
      const timer = setTimeout(resolve, ms);
      wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });

  /** One look: pulls what is pending; true when more may be waiting at once. */
  const round = async (): Promise<boolean> => {
    const pending = (await consumer.info()).num_pending;
    if (pending === 0 || stopped) return false;
    const want = Math.min(pending, MAX_BATCH);
    let got = 0;
    current = await consumer.fetch({ max_messages: want, expires: o.timeoutMs });
    for await (const m of current) {
      got++;
      next = m.seq + 1;
      try {
        await o.deliver(m);
      } catch (err) {
        throw new HandlerFailed(err);
      }
      if (stopped) break;
    }
    current = undefined;
    if (got < want && !stopped) {
      consumer = await open();
      return true;
    }
    return pending > want;
  };

  const loop = (async () => {
    while (!stopped) {
      try {
        if (await round()) continue;
        await pause(o.batchMs);
      } catch (err) {
        current = undefined;
        if (err instanceof HandlerFailed) {
          stopped = true;
          o.onError?.(err.cause instanceof Error ? err.cause : err);
          return;
        }
        // The bus failed (disconnect, server restart, consumer gone): start again where delivery stopped.
        await pause(Math.max(o.batchMs, 1000));
        if (stopped) return;
        consumer = await open().catch(() => consumer);
      }
    }
  })();

  return {
    close: async () => {
      stopped = true;
      current?.stop();
      wake?.();
      await loop;
    },
  };
}
