export const EVENT_STORE = Symbol('EVENT_STORE');
/** The partition and reconciler leases' LeaseTiming. */
export const LEASE_TIMING = Symbol('LEASE_TIMING');
