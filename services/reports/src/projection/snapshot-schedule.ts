/**
 * The most of the service's time saving snapshots may take. A snapshot serializes, compresses and
 * uploads the whole read model, so it takes time in proportion to the history (seconds for a million
 * events): at a fixed interval a growing model would sooner or later be saving most of the time.
 */
export const SNAPSHOT_TIME_SHARE = 0.05;

/**
 * Milliseconds until the next snapshot: the configured interval, or longer when the last save took
 * long enough that the interval would spend more than SNAPSHOT_TIME_SHARE of the time saving. The
 * price of a longer interval is a longer catch-up after a restart (the events since the snapshot).
 */
export function nextSnapshotDelayMs(intervalSeconds: number, lastSaveMs: number | undefined): number {
  return Math.max(intervalSeconds * 1000, (lastSaveMs ?? 0) / SNAPSHOT_TIME_SHARE);
}
