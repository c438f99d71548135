import { promisify } from 'node:util';
import { gunzip, gzip } from 'node:zlib';
import type { NatsConnection, ObjectStore } from 'nats';
import { fromSnapshot, toSnapshot, type ReadModel, type ReadModelSnapshot } from '../read-model';

const OBJECT = 'read-model';
const gzipAsync = promisify(gzip);
const gunzipAsync = promisify(gunzip);

/**
 * Where a replica keeps its read model between restarts: the whole model with its checkpoint (the
 * last global position applied) as one gzipped JSON object in a JetStream object store bucket named
 * for the bus prefix. The position alone would not help: the model lives in memory, so a restart
 * needs both to resume instead of replaying the store from the start.
 *
 * Replicas build identical models from the same store, so any replica may write it; a replica that
 * loads an older snapshot than another wrote just catches up further. A snapshot of another schema
 * version is ignored (the model is rebuilt).
 */
export class SnapshotStore {
  private constructor(private readonly os: ObjectStore) {}

  static async open(nc: NatsConnection, bucket: string): Promise<SnapshotStore> {
    return new SnapshotStore(await nc.jetstream().views.os(bucket, { description: 'Chaperone reports: read-model snapshot (state + checkpoint)' }));
  }

  async load(): Promise<ReadModel | undefined> {
    const blob = await this.os.getBlob(OBJECT);
    if (!blob) return undefined;
    const snapshot = JSON.parse((await gunzipAsync(blob)).toString('utf8')) as ReadModelSnapshot;
    return fromSnapshot(snapshot);
  }

  /** Returns the stored size in bytes. */
  async save(model: ReadModel): Promise<number> {
    const bytes = await gzipAsync(Buffer.from(JSON.stringify(toSnapshot(model)), 'utf8'));
    await this.os.putBlob({ name: OBJECT }, bytes);
    return bytes.length;
  }

  /** Forget the snapshot (a rebuild from zero writes a new one). */
  async clear(): Promise<void> {
    await this.os.delete(OBJECT).catch(() => undefined);
  }
}
