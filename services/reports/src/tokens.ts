export const EVENT_STORE = Symbol('EVENT_STORE');
export const REPORTS_CONFIG = Symbol('REPORTS_CONFIG');
export const AUTHENTICATOR = Symbol('AUTHENTICATOR');
export const SNAPSHOTS = Symbol('SNAPSHOTS');
export const CHAIN_VERIFIER = Symbol('CHAIN_VERIFIER');
/** () => Date, so tests pin the time reports are generated at. */
export const CLOCK = Symbol('CLOCK');
/** The blob store recorded bodies are kept in (the ingress's, read only here). */
export const BLOB_STORE = Symbol('BLOB_STORE');
