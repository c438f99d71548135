import type { JetStreamManager } from 'nats';
import type { BusSubjects } from '@chaperone/contracts';

/** The JetStream streams of one bus prefix: the events backlog, the evidence store and its object-store buckets. */
export function isPrefixStream(name: string, subjects: BusSubjects): boolean {
  return name === subjects.eventsStream || name === subjects.evidenceStream || name.startsWith(`OBJ_${subjects.prefix}-`);
}

/**
 * Bring every stream of this prefix to at least `replicas` copies (a JetStream cluster keeps a
 * stream with R replicas through the loss of a minority of them). Streams are created with one
 * replica; a stream with more than configured is kept as it is. Returns the streams raised.
 */
export async function raiseStreamReplicas(jsm: JetStreamManager, subjects: BusSubjects, replicas: number): Promise<string[]> {
  if (replicas <= 1) return [];
  const raised: string[] = [];
  for await (const info of jsm.streams.list()) {
    const c = info.config;
    if (!isPrefixStream(c.name, subjects) || (c.num_replicas ?? 1) >= replicas) continue;
    try {
      await jsm.streams.update(c.name, { ...c, num_replicas: replicas });
    } catch (e) {
      throw new Error(`stream ${c.name} cannot have ${replicas} replicas (${e instanceof Error ? e.message : String(e)}); a single NATS server keeps 1, a cluster of N servers up to N`);
    }
    raised.push(c.name);
  }
  return raised;
}
