/**
 * Where a sink's records go. `deliver` resolves only when the whole batch is durably accepted
 * (written and synced, or answered 2xx); it throws otherwise, and the follower delivers the same
 * batch again after a back-off. A batch may therefore arrive twice, never partly skipped.
 */
export interface Transport {
  readonly description: string;
  deliver(records: readonly unknown[]): Promise<void>;
  close(): Promise<void>;
}

/** A delivery the receiver refused or that could not be made; the message never carries a token. */
export class DeliveryFailed extends Error {
  override readonly name = 'DeliveryFailed';
}
