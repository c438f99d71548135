/** The approval service's injection tokens (the runtime's own are in @chaperone/service-runtime). */
export const EVENT_STORE = Symbol('EVENT_STORE');
export const AUTHENTICATOR = Symbol('AUTHENTICATOR');
/** `() => Date`: time is injected so tests can move it. */
export const CLOCK = Symbol('CLOCK');
/** `() => string`: new approval and event ids. */
export const NEW_ID = Symbol('NEW_ID');
export const APPROVAL_OPTIONS = Symbol('APPROVAL_OPTIONS');

export type Clock = () => Date;
export type NewId = () => string;
