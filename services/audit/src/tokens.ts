export const EVENT_STORE = Symbol('EVENT_STORE');
/** The partition and reconciler leases' LeaseTiming. */
export const LEASE_TIMING = Symbol('LEASE_TIMING');

/** Milliseconds a partition writer waits after a first message for more to batch with it. */
export const BATCH_LINGER_MS = Symbol('BATCH_LINGER_MS');
