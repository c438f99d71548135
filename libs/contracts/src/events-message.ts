import { z } from 'zod';
import { ChaperoneEventSchema, type ChaperoneEvent } from './events';
import { parseContract } from './validate';

/**
 * What one message on `<p>.events.p<N>.*` carries: one event, or several events of ONE session in
 * the order they happened (a publisher that records a request's interception and decision
 * together publishes them as one message, acknowledged once). Either way the audit service stores
 * every event, in order, in the session's stream.
 */
/** Several events of one session, in order. */
export const EventsArraySchema = z
  .array(ChaperoneEventSchema)
  .min(1)
  .refine((events) => events.every((e) => e.sessionId === events[0]?.sessionId), 'the events of one message belong to one session');

export const EventsMessageSchema = z.union([ChaperoneEventSchema, EventsArraySchema]);

/** The events of one bus message, in order; ContractViolation (naming the element) when it does not match. */
export function parseEventsMessage(value: unknown): ChaperoneEvent[] {
  if (Array.isArray(value)) return parseContract(EventsArraySchema, 'EventsMessage', value);
  return [parseContract(ChaperoneEventSchema, 'EventsMessage', value)];
}
