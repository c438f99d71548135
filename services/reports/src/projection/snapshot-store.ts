import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip, createGzip } from 'node:zlib';
import type { NatsConnection, ObjectStore } from 'nats';
import { readSnapshot, snapshotChunks, type ReadModel } from '../read-model';

const OBJECT = 'read-model';
const NEWLINE = 0x0a;

/**
 * Where a replica keeps its read model between restarts: the whole model with its checkpoint (the
 * last global position applied) as gzipped JSON lines (../read-model/snapshot.ts) in a JetStream
 * object store bucket named for the bus prefix. The position alone would not help: the model lives
 * in memory, so a restart needs both to resume instead of replaying the store from the start.
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
    const unzipped = createGunzip();
    unzipped.end(blob);
    return readSnapshot(linesOf(unzipped));
  }

  /** Returns the stored size in bytes. */
  async save(model: ReadModel): Promise<number> {
    // Every line is taken before the first await: the projection changes the model between turns.
    const chunks = [...snapshotChunks(model)];
    const zipped: Buffer[] = [];
    await pipeline(Readable.from(chunks), createGzip(), async (source: AsyncIterable<Buffer>) => {
      for await (const part of source) zipped.push(part);
    });
    const bytes = Buffer.concat(zipped);
    await this.os.putBlob({ name: OBJECT }, bytes);
    return bytes.length;
  }

  /** Forget the snapshot (a rebuild from zero writes a new one). */
  async clear(): Promise<void> {
    await this.os.delete(OBJECT).catch(() => undefined);
  }
}

/** The text lines of a byte stream (UTF-8; a newline byte is never part of another character). */
async function* linesOf(bytes: AsyncIterable<Buffer>): AsyncGenerator<string> {
  let carried: Buffer[] = [];
  for await (const chunk of bytes) {
    let from = 0;
    for (let nl = chunk.indexOf(NEWLINE); nl >= 0; nl = chunk.indexOf(NEWLINE, from)) {
      const piece = chunk.subarray(from, nl);
      yield (carried.length > 0 ? Buffer.concat([...carried, piece]) : piece).toString('utf8');
      carried = [];
      from = nl + 1;
    }
    if (from < chunk.length) carried.push(chunk.subarray(from));
  }
  if (carried.length > 0) yield Buffer.concat(carried).toString('utf8');
}
