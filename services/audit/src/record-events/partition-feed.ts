import { AckPolicy, createInbox, DeliverPolicy, nanos, type ConsumerConfig, type JetStreamManager, type JsMsg, type NatsConnection } from 'nats';
import { toJsMsg } from 'nats/lib/jetstream/jsmsg';
import type { BusSubjects } from '@chaperone/contracts';
import { encodeJson, jsErrCode, JsErrCodes } from '@chaperone/bus';

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

/** A pull for a batch's first message waits this long at the server, which then ends it (an idle partition costs one pull per period). */
export const FIRST_PULL_MS = 5000;
/** While that pull waits, the server says it is alive this often. */
const HEARTBEAT_MS = 1000;
/** A pull that heard nothing for this long was lost with the bus connection: the writer starts over. */
const SILENCE_MS = 3 * HEARTBEAT_MS;

/**
 * The partition's messages in batches, pulled when the writer asks: `next()` waits for one message
 * (a pull the server answers when there is one), then, after the linger, takes whatever gathered in
 * the meantime in one pull that does not wait. The server delivers nothing while the writer lingers
 * or stores, so a window's messages cost the writer two wake-ups instead of one each, and the
 * server no delivery at the moment each is stored: on a shared machine that is CPU the request path
 * gets.
 *
 * Each pull has an inbox of its own and is over only when the server says so (its batch delivered,
 * or a 404/408 status), never on a client timer: a message the server hands to a pull is always
 * received, and the next pull starts after it, so the stream's order is the writer's order.
 */
export class PartitionFeed {
  private ended = false;
  private current: (() => void) | undefined;
  private lingering: (() => void) | undefined;

  private constructor(
    private readonly nc: NatsConnection,
    /** The consumer's pull request subject. */
    private readonly api: string,
  ) {}

  static async open(nc: NatsConnection, subjects: BusSubjects, partition: number): Promise<PartitionFeed> {
    // The consumer must be there (the holder just made it): a missing one fails here, not in a pull.
    await nc.jetstream().consumers.get(subjects.eventsStream, subjects.auditConsumer(partition));
    return new PartitionFeed(nc, `$JS.API.CONSUMER.MSG.NEXT.${subjects.eventsStream}.${subjects.auditConsumer(partition)}`);
  }

  /**
   * The next batch, in stream order; undefined once the feed has stopped. With `lingerMs`, the batch
   * takes what arrived within that long after its first message (up to a batch): a request's
   * completion and its neighbours' events then go into the store in one write with it.
   */
  async next(lingerMs = 0): Promise<JsMsg[] | undefined> {
    let first: JsMsg | undefined;
    while (!first && !this.ended) [first] = await this.pull(1, 'wait');
    if (!first || this.ended) return undefined;
    // A full batch already waiting (a backlog) is taken at once.
    if (lingerMs > 0 && first.info.pending < BATCH_MAX_MESSAGES - 1) await this.linger(lingerMs);
    if (this.ended) return undefined;
    if (lingerMs === 0 && first.info.pending === 0) return [first];
    return [first, ...(await this.pull(BATCH_MAX_MESSAGES - 1, 'no-wait'))];
  }

  /** Stop at once; messages pulled and not acknowledged are delivered again to the next holder. */
  async stop(): Promise<void> {
    this.ended = true;
    this.current?.();
    this.lingering?.();
  }

  private pull(batch: number, mode: 'wait' | 'no-wait'): Promise<JsMsg[]> {
    return new Promise<JsMsg[]>((resolve, reject) => {
      const msgs: JsMsg[] = [];
      let heard = Date.now();
      const finish = (e?: Error): void => {
        clearInterval(watch);
        sub.unsubscribe();
        this.current = undefined;
        if (e) reject(e);
        else resolve(msgs);
      };
      const sub = this.nc.subscribe(createInbox(), {
        callback: (err, msg) => {
          if (err) return finish(err);
          heard = Date.now();
          const code = msg.headers?.code ?? 0;
          if (code === 0) {
            msgs.push(toJsMsg(msg, ACK_WAIT_MS));
            if (msgs.length >= batch) finish();
          } else if (code === 404 || code === 408) {
            finish(); // no message (more), or the wait is over
          } else if (code !== 100) {
            // 409: the consumer was deleted (another holder), or the request was refused.
            finish(new Error(`the events stream ended a pull: ${code} ${msg.headers?.description ?? ''}`));
          }
        },
      });
      const watch = setInterval(() => {
        if (Date.now() - heard > SILENCE_MS) finish(new Error('a pull of the events stream went unanswered (bus connection lost)'));
      }, HEARTBEAT_MS);
      this.current = () => finish();
      const request = mode === 'wait' ? { batch, expires: nanos(FIRST_PULL_MS), idle_heartbeat: nanos(HEARTBEAT_MS) } : { batch, no_wait: true };
      this.nc.publish(this.api, encodeJson(request), { reply: sub.getSubject() });
    });
  }

  private linger(ms: number): Promise<void> {
    return new Promise<void>((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        this.lingering = undefined;
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.lingering = done;
    });
  }
}
