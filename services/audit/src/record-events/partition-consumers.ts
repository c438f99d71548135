import { AckPolicy, DeliverPolicy, type ConsumerMessages, type JetStreamManager, type NatsConnection } from 'nats';
import { EVENT_PARTITIONS, type BusSubjects } from '@chaperone/contracts';

const NS = 1_000_000;

/**
 * One durable consumer per partition, shared by every audit replica (a work queue). At most one
 * message per partition is in flight across all replicas (max_ack_pending 1), so a session's events
 * are stored in bus order; partitions proceed in parallel. Durable: a stopped audit service resumes
 * where it stopped. Unlimited redelivery: evidence is never given up on.
 */
export async function ensurePartitionConsumers(jsm: JetStreamManager, subjects: BusSubjects): Promise<void> {
  for (let p = 0; p < EVENT_PARTITIONS; p++) {
    const name = subjects.auditConsumer(p);
    const config = {
      durable_name: name,
      filter_subject: subjects.eventsInPartition(p),
      ack_policy: AckPolicy.Explicit,
      deliver_policy: DeliverPolicy.All,
      max_ack_pending: 1,
      ack_wait: 30_000 * NS,
      max_deliver: -1,
    };
    try {
      await jsm.consumers.info(subjects.eventsStream, name);
    } catch {
      await jsm.consumers.add(subjects.eventsStream, config);
    }
  }
}

export type PartitionHandler = (data: Uint8Array, info: { partition: number; streamSequence: number; redelivered: boolean }) => Promise<'ack' | 'retry' | 'reject'>;

/** Consume every partition, one message at a time each, until stopped. */
export async function consumePartitions(nc: NatsConnection, subjects: BusSubjects, handle: PartitionHandler): Promise<{ stop(): Promise<void> }> {
  const js = nc.jetstream();
  const running: { messages: ConsumerMessages; loop: Promise<void> }[] = [];
  for (let p = 0; p < EVENT_PARTITIONS; p++) {
    const consumer = await js.consumers.get(subjects.eventsStream, subjects.auditConsumer(p));
    const messages = await consumer.consume({ max_messages: 1 });
    const loop = (async () => {
      for await (const m of messages) {
        const verdict = await handle(m.data, { partition: p, streamSequence: m.info.streamSequence, redelivered: m.redelivered });
        if (verdict === 'ack') m.ack();
        else if (verdict === 'retry') m.nak(1000);
        else m.term();
      }
    })();
    running.push({ messages, loop });
  }
  return {
    async stop() {
      for (const r of running) await r.messages.close();
      await Promise.allSettled(running.map((r) => r.loop));
    },
  };
}
