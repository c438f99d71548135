import { z } from 'zod';
import { ChaperoneEventSchema, type ChaperoneEvent } from './events';
import { partitionOf } from './subjects';
import { parseContract } from './validate';

/** The partition all these events belong to, or undefined when they belong to several (or none). */
export function partitionOfEvents(events: readonly Pick<ChaperoneEvent, 'sessionId'>[]): number | undefined {
  const first = events[0]?.sessionId;
  if (first === undefined) return undefined;
  const partition = partitionOf(first);
  return events.every((e) => e.sessionId === first || partitionOf(e.sessionId) === partition) ? partition : undefined;
}

/**
 * What one message on `<p>.events.p<N>.*` carries: one event, or several events of ONE partition in
 * the order they were written (a request's interception and decision together; the writes a
 * publisher commits as a group, possibly of several sessions that hash to the partition). Either
 * way the partition's audit writer stores every event, in order, in its session's stream. This is
 * the second form: several events of one partition, in order.
 */
export const EventsArraySchema = z
  .array(ChaperoneEventSchema)
  .min(1)
  .refine((events) => partitionOfEvents(events) !== undefined, 'the events of one message belong to one partition');

export const EventsMessageSchema = z.union([ChaperoneEventSchema, EventsArraySchema]);

/** The events of one bus message, in order; ContractViolation (naming the element) when it does not match. */
export function parseEventsMessage(value: unknown): ChaperoneEvent[] {
  if (Array.isArray(value)) return parseContract(EventsArraySchema, 'EventsMessage', value);
  return [parseContract(ChaperoneEventSchema, 'EventsMessage', value)];
}
