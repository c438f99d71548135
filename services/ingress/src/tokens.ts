import type { ConfigOf } from '@chaperone/config';
import type { ingressSettings } from './config';

export const INGRESS_CONFIG = Symbol('INGRESS_CONFIG');
export const AUTHENTICATOR = Symbol('AUTHENTICATOR');
export const UPSTREAM = Symbol('UPSTREAM');
/** The blob store recorded bodies and session recordings go to. */
export const BLOB_STORE = Symbol('BLOB_STORE');

export type IngressConfig = ConfigOf<typeof ingressSettings>;
