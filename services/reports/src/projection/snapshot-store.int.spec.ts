import { randomUUID } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { connect, type NatsConnection } from 'nats';
import { READ_MODEL_SCHEMA, SNAPSHOT_FORMAT } from '../read-model';
import { foldedModel, legacySnapshotOf } from '../testing/snapshot-fixtures';
import { SnapshotStore } from './snapshot-store';

const servers = process.env['NATS_URL'] ?? 'nats://127.0.0.1:4222';

describe('read-model snapshots in the JetStream object store', () => {
  let nc: NatsConnection;
  const bucket = `snapshot-int-${randomUUID().slice(0, 8)}`;

  beforeAll(async () => {
    nc = await connect({ servers });
  });

  afterAll(async () => {
    await (await nc.jetstream().views.os(bucket)).destroy();
    await nc.close();
  });

  it('given no snapshot, when loading, then there is none', async () => {
    expect(await (await SnapshotStore.open(nc, bucket)).load()).toBeUndefined();
  });

  it('given a model saved (several compressed chunks), when a new store loads it, then it is the same model', async () => {
    const model = foldedModel(12_000, 11);
    const bytes = await (await SnapshotStore.open(nc, bucket)).save(model);
    expect(bytes).toBeGreaterThan(0);
    expect(await (await SnapshotStore.open(nc, bucket)).load()).toEqual(model);
  });

  it('given the single gzipped JSON document an earlier version saved, when loading, then it is read', async () => {
    const model = foldedModel(1500, 12);
    const legacy = legacySnapshotOf(model);
    await (await nc.jetstream().views.os(bucket)).putBlob({ name: 'read-model' }, gzipSync(JSON.stringify(legacy)));
    expect(await (await SnapshotStore.open(nc, bucket)).load()).toEqual(model);
  });

  it('given a stored object that is not a gzipped snapshot, when loading, then it is refused (the caller rebuilds)', async () => {
    const os = await nc.jetstream().views.os(bucket);
    await os.putBlob({ name: 'read-model' }, Buffer.from('not gzip'));
    await expect((await SnapshotStore.open(nc, bucket)).load()).rejects.toThrow();
    await os.putBlob({ name: 'read-model' }, gzipSync(`${JSON.stringify({ format: SNAPSHOT_FORMAT, schema: READ_MODEL_SCHEMA, position: 1, atPosition: [], applied: 1, orphanApprovalEvents: 0 })}\n`));
    await expect((await SnapshotStore.open(nc, bucket)).load()).rejects.toThrow(/cut short/);
  });
});
