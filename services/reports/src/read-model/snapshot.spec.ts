import { foldedModel, legacySnapshotOf } from '../testing/snapshot-fixtures';
import { READ_MODEL_SCHEMA, type ReadModel } from './read-model';
import { readSnapshot, snapshotChunks, snapshotLines, SnapshotUnreadable } from './snapshot';

function folded(): ReadModel {
  const m = foldedModel(2000);
  // Collections the generated history leaves empty get an entry too, so every kind of line is written.
  m.invalid.push({ position: 1, stream: 'x', eventId: 'e-invalid', type: 'RequestCompleted' });
  m.authFailures.push({ time: '2026-01-01T00:00:00.000Z', reason: 'expired', method: 'GET', path: '/api', sourceAddress: '127.0.0.1', eventId: 'e-auth' });
  m.otherTypes.set('ChainCheckpoint', 3);
  return m;
}

function entriesOf(m: ReadModel): number {
  return m.sessions.size + m.requests.size + m.approvals.size + m.approvalByRequest.size + m.agents.size + m.otherTypes.size + m.registry.length + m.authFailures.length + m.invalid.length;
}

describe('read-model snapshot', () => {
  const model = folded();
  const lines = [...snapshotLines(model)];

  it('given a model, when its snapshot is read back, then it is the same model', async () => {
    expect(model.approvals.size).toBeGreaterThan(0);
    expect(model.registry.length).toBeGreaterThan(0);
    expect(await readSnapshot(lines)).toEqual(model);
  });

  it('given a model, then every entry of every collection is a line of its own, between a header and an end', () => {
    // One line per entry is what keeps a long history's snapshot within V8's longest string.
    expect(lines.length).toBe(entriesOf(model) + 2);
    const longestEntry = Math.max(...[...model.sessions.values(), ...model.requests.values()].map((v) => JSON.stringify(v).length));
    expect(Math.max(...lines.slice(1, -1).map((l) => l.length))).toBeLessThan(longestEntry + 100);
    expect(lines.every((l) => !l.includes('\n'))).toBe(true);
  });

  it('given a chunk size, then the chunks are the lines, each ending in a newline, cut near that size', () => {
    const chunks = [...snapshotChunks(model, 4096)];
    expect(chunks.join('')).toBe(lines.map((l) => `${l}\n`).join(''));
    const longestLine = Math.max(...lines.map((l) => l.length));
    for (const c of chunks) expect(c.length).toBeLessThan(4096 + longestLine + 1);
    expect(chunks.length).toBeGreaterThan(10);
  });

  it('given a snapshot without its end, or without one entry, then it is refused', async () => {
    await expect(readSnapshot(lines.slice(0, -1))).rejects.toThrow(SnapshotUnreadable);
    await expect(readSnapshot([...lines.slice(0, 5), ...lines.slice(6)])).rejects.toThrow(/cut short \(\d+ entries read, \d+ written\)/);
  });

  it('given lines after the end, a line that is no entry, or no header, then it is refused', async () => {
    await expect(readSnapshot([...lines, lines[1] as string])).rejects.toThrow(/after its end/);
    await expect(readSnapshot([lines[0] as string, '"text"', ...lines.slice(1)])).rejects.toThrow(SnapshotUnreadable);
    await expect(readSnapshot(lines.slice(1))).rejects.toThrow(/not a read-model snapshot/);
    await expect(readSnapshot([])).rejects.toThrow(/empty/);
  });

  it('given a snapshot of another schema version, then it is not used', async () => {
    const header = { ...(JSON.parse(lines[0] as string) as object), schema: READ_MODEL_SCHEMA + 1 };
    expect(await readSnapshot([JSON.stringify(header), ...lines.slice(1)])).toBeUndefined();
  });

  it('given the single-document snapshot an earlier version wrote, then it is read as well', async () => {
    expect(await readSnapshot([JSON.stringify(legacySnapshotOf(model))])).toEqual(model);
    expect(await readSnapshot([JSON.stringify({ ...legacySnapshotOf(model), schema: READ_MODEL_SCHEMA + 1 })])).toBeUndefined();
  });
});
