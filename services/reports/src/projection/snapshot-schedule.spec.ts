import { nextSnapshotDelayMs, SNAPSHOT_TIME_SHARE } from './snapshot-schedule';

describe('when the next read-model snapshot is saved', () => {
  it('given no snapshot saved yet, then it waits the configured interval', () => {
    expect(nextSnapshotDelayMs(60, undefined)).toBe(60_000);
  });

  it('given a quick last save, then the configured interval stands', () => {
    expect(nextSnapshotDelayMs(60, 800)).toBe(60_000);
  });

  it('given a last save that took long, then saving stays within its share of the time', () => {
    // A million events took 16 s to save: at a fixed minute that is a quarter of the time.
    const delay = nextSnapshotDelayMs(60, 16_000);
    expect(delay).toBe(320_000);
    expect(16_000 / delay).toBeLessThanOrEqual(SNAPSHOT_TIME_SHARE);
  });
});
