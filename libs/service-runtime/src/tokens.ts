import type { ServiceName } from '@chaperone/contracts';

export const NATS_CONNECTION = Symbol('NATS_CONNECTION');
export const SERVICE_IDENTITY = Symbol('SERVICE_IDENTITY');
/** The BusSubjects table for this deployment's prefix. */
export const BUS = Symbol('BUS');
/** A DurableEventPublisher, for services that record evidence events. */
export const EVENTS = Symbol('EVENTS');

export interface ServiceIdentity {
  service: ServiceName;
  /** Unique per replica, so events and health replies say which replica acted. */
  instance: string;
}
