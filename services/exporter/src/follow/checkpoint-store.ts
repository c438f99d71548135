import type { KV, NatsConnection } from 'nats';

/**
 * A sink's checkpoint. `resumeFrom`: the store position to read from after a restart (the first
 * event of the oldest request still open, so its record can be joined again); `deliveredThrough`:
 * every record completed at or before this position was delivered, so a restart skips them.
 */
export interface SinkCheckpoint {
  resumeFrom: number;
  deliveredThrough: number;
}

export interface CheckpointStore {
  load(sink: string): Promise<SinkCheckpoint | undefined>;
  save(sink: string, checkpoint: SinkCheckpoint): Promise<void>;
}

/** Checkpoints in a JetStream key-value bucket, one key per sink: they survive the exporter and its host. */
export class KvCheckpointStore implements CheckpointStore {
  private constructor(private readonly kv: KV) {}

  static async open(nc: NatsConnection, bucket: string): Promise<KvCheckpointStore> {
    return new KvCheckpointStore(await nc.jetstream().views.kv(bucket, { history: 1, description: 'Chaperone exporter: one checkpoint per sink' }));
  }

  async load(sink: string): Promise<SinkCheckpoint | undefined> {
    const entry = await this.kv.get(sink);
    if (!entry || entry.operation !== 'PUT' || entry.length === 0) return undefined;
    const cp = entry.json<Partial<SinkCheckpoint>>();
    if (!Number.isSafeInteger(cp.resumeFrom) || !Number.isSafeInteger(cp.deliveredThrough)) throw new Error(`checkpoint of sink ${sink} is malformed; delete the key to start the sink over`);
    return { resumeFrom: cp.resumeFrom as number, deliveredThrough: cp.deliveredThrough as number };
  }

  async save(sink: string, checkpoint: SinkCheckpoint): Promise<void> {
    await this.kv.put(sink, JSON.stringify(checkpoint));
  }
}
