import type { ConfigOf } from '@chaperone/config';
import type { ingressSettings } from './config';

export const INGRESS_CONFIG = Symbol('INGRESS_CONFIG');
/** Nest's NATS client for request/reply with the policy and masking services (one connection). */
export const BUS_RPC = Symbol('BUS_RPC');
export const AUTHENTICATOR = Symbol('AUTHENTICATOR');
export const UPSTREAM = Symbol('UPSTREAM');

export type IngressConfig = ConfigOf<typeof ingressSettings>;
