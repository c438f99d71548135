import { AckPolicy, DeliverPolicy, nanos, type ConsumerConfig, type ConsumerMessages, type JetStreamClient, type JetStreamManager, type JsMsg } from 'nats';
import type { BusSubjects } from '@chaperone/contracts';
import { jsErrCode, JsErrCodes } from '@chaperone/bus';

/** Messages a partition batch holds at most, and what the consumer lets be unacknowledged. */
export const BATCH_MAX_MESSAGES = 256;
/** A delivered message not acknowledged (nor marked in progress) within this is delivered again. */
export const ACK_WAIT_MS = 5000;

/**
 * The durable consumer of one partition, as the lease holder uses it: up to a batch's worth of
 * messages unacknowledged, and a short ack wait kept alive by progress acknowledgements while a
 * batch is being stored. Never given up on (max_deliver -1). Acknowledgements are per message:
 * the server refuses cumulative ones (AckAll) on a work-queue stream.
 */
export function partitionConsumerConfig(subjects: BusSubjects, partition: number): Partial<ConsumerConfig> {
  return {
    durable_name: subjects.auditConsumer(partition),
    filter_subject: subjects.eventsInPartition(partition),
    ack_policy: AckPolicy.Explicit,
    deliver_policy: DeliverPolicy.All,
    max_ack_pending: BATCH_MAX_MESSAGES,
    ack_wait: nanos(ACK_WAIT_MS),
    max_deliver: -1,
  };
}

/**
 * Create the partition's consumer afresh (deleting the one there). The new lease holder does this
 * when it takes the partition: whatever the previous holder had received and not acknowledged is
 * then delivered again at once, FIRST and in order, instead of after its ack wait and behind newer
 * messages. It also brings a consumer made with an older configuration to the current one. Safe
 * on the work-queue stream: a message leaves it only when acknowledged, never with a consumer.
 */
export async function recreatePartitionConsumer(jsm: JetStreamManager, subjects: BusSubjects, partition: number): Promise<void> {
  try {
    await jsm.consumers.delete(subjects.eventsStream, subjects.auditConsumer(partition));
  } catch (err) {
    if (jsErrCode(err) !== JsErrCodes.consumerNotFound) throw err;
  }
  await jsm.consumers.add(subjects.eventsStream, partitionConsumerConfig(subjects, partition));
}

/**
 * The partition's messages in batches: `next()` waits for a message, then hands over every message
 * received so far (at most a batch: the consumer delivers no more unacknowledged). Under load a
 * batch fills while the previous one is stored; when idle, a message is handled on arrival.
 */
export class PartitionFeed {
  private readonly queue: JsMsg[] = [];
  private wake: (() => void) | undefined;
  private ended = false;
  private readonly pump: Promise<void>;

  private constructor(private readonly messages: ConsumerMessages) {
    this.pump = (async () => {
      try {
        for await (const m of messages) {
          this.queue.push(m);
          this.wake?.();
        }
      } finally {
        this.ended = true;
        this.wake?.();
      }
    })();
  }

  static async open(js: JetStreamClient, subjects: BusSubjects, partition: number): Promise<PartitionFeed> {
    const consumer = await js.consumers.get(subjects.eventsStream, subjects.auditConsumer(partition));
    return new PartitionFeed(await consumer.consume({ max_messages: BATCH_MAX_MESSAGES }));
  }

  /**
   * The next batch, in delivery order; undefined once the feed has stopped. With `lingerMs`, the
   * batch waits that long after its first message for more (or until it is full): a request's
   * completion and its neighbours' events then go into the store in one write with it.
   */
  async next(lingerMs = 0): Promise<JsMsg[] | undefined> {
    while (this.queue.length === 0 && !this.ended) {
      await new Promise<void>((resolve) => (this.wake = resolve));
      this.wake = undefined;
    }
    if (lingerMs > 0 && this.queue.length < BATCH_MAX_MESSAGES && !this.ended) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, lingerMs);
        this.wake = () => {
          if (this.queue.length < BATCH_MAX_MESSAGES && !this.ended) return;
          clearTimeout(timer);
          resolve();
        };
      });
      this.wake = undefined;
    }
    if (this.queue.length === 0) return undefined;
    return this.queue.splice(0, BATCH_MAX_MESSAGES);
  }

  /** Received, not yet handed over in a batch. */
  get waiting(): readonly JsMsg[] {
    return this.queue;
  }

  /** Stop receiving; messages received and not acknowledged are delivered again to the next holder. */
  async stop(): Promise<void> {
    this.ended = true;
    this.queue.length = 0;
    this.wake?.();
    this.messages.stop();
    await this.pump.catch(() => undefined);
  }
}
