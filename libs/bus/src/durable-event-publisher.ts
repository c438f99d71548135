import { headers as natsHeaders, type JetStreamClient, type NatsConnection } from 'nats';
import { partitionOfEvents, type BusSubjects, type ChaperoneEvent } from '@chaperone/contracts';
import { encodeJson } from './codec';
import { traceHeaders } from './trace-headers';

/** An event the bus did not durably accept: the caller must not act as if it was recorded. */
export class EventNotRecorded extends Error {
  constructor(
    readonly eventType: string,
    readonly why: string,
  ) {
    super(`${eventType} was not recorded: ${why}`);
    this.name = 'EventNotRecorded';
  }
}

/**
 * Publishes evidence events to the JetStream events stream and resolves only once the server has
 * stored them (PubAck). The message id is an event id, so a retried publish is stored once.
 */
export class DurableEventPublisher {
  private readonly js: JetStreamClient;

  constructor(
    private readonly nc: NatsConnection,
    private readonly subjects: BusSubjects,
    private readonly timeoutMs: number,
  ) {
    this.js = nc.jetstream();
  }

  /** One event, one message (the event object). */
  async publish(event: ChaperoneEvent): Promise<void> {
    await this.store(encodeJson(event), event, event.type);
  }

  /**
   * Several events of one partition as ONE message, a JSON array in order: stored together or not
   * at all, for the price of one write. The message is named by the last event (its subject's type,
   * its id as message id), so the batch's id must be one a retry reproduces.
   */
  async publishAll(events: readonly [ChaperoneEvent, ...ChaperoneEvent[]]): Promise<void> {
    const what = eventTypesOf(events);
    if (partitionOfEvents(events) === undefined) throw new EventNotRecorded(what, 'the events belong to different partitions');
    await this.store(encodeJson(events), events[events.length - 1] as ChaperoneEvent, what);
  }

  /**
   * publishAll for events already encoded one by one (each a JSON text): one event goes as itself,
   * several as their array. `named` is the last event; the message id is its id unless `messageId`
   * says otherwise. For a writer that sizes its batches by bytes.
   */
  async publishEncoded(encoded: readonly string[], named: ChaperoneEvent, what: string, messageId = named.eventId): Promise<void> {
    await this.store(textEncoder.encode(messageOf(encoded)), named, what, messageId);
  }

  /**
   * publishEncoded's message (same subject, body and message id), published with `acknowledgeTo` as
   * its reply subject and not waited on: the events stream's acknowledgement (or its refusal, or a
   * no-responders status) goes to whoever listens there. For a caller that waits for it itself.
   */
  publishEncodedAcknowledgedTo(encoded: readonly string[], named: ChaperoneEvent, acknowledgeTo: string): void {
    const headers = traceHeaders() ?? natsHeaders();
    headers.set('Nats-Msg-Id', named.eventId);
    headers.set('Nats-Expected-Stream', this.subjects.eventsStream);
    this.nc.publish(this.subjects.event(named.type, named.sessionId), textEncoder.encode(messageOf(encoded)), { headers, reply: acknowledgeTo });
  }

  private async store(data: Uint8Array, named: ChaperoneEvent, what: string, messageId = named.eventId): Promise<void> {
    try {
      const headers = traceHeaders();
      await this.js.publish(this.subjects.event(named.type, named.sessionId), data, {
        ...(headers ? { headers } : {}),
        msgID: messageId,
        expect: { streamName: this.subjects.eventsStream },
        timeout: this.timeoutMs,
      });
    } catch (e) {
      throw new EventNotRecorded(what, describe(e));
    }
  }
}

const textEncoder = new TextEncoder();

/** The event types of a write, as its errors name it ("RequestIntercepted+PolicyDecided"). */
export const eventTypesOf = (events: readonly ChaperoneEvent[]): string => events.map((e) => e.type).join('+');

/** One encoded event as itself, several as their JSON array. */
const messageOf = (encoded: readonly string[]): string => (encoded.length === 1 ? (encoded[0] as string) : `[${encoded.join(',')}]`);

function describe(e: unknown): string {
  if (!(e instanceof Error)) return 'unknown error';
  // JetStream API errors carry the server's reason; a bare 503 means nothing stored the subject.
  const api = (e as { api_error?: { description?: string } }).api_error?.description ?? '';
  const code = (e as { code?: string }).code;
  if (api) return refusedBecause(api);
  if (code === 'TIMEOUT' || /timeout/i.test(e.message)) return 'the events stream did not acknowledge in time';
  if (code === '503' || /no responders/i.test(e.message)) return 'no JetStream events stream answers';
  if (/closed|disconnect/i.test(e.message)) return 'the connection to NATS is down';
  return e.message;
}

/** Why the events stream refused a write, from the server's description of the error. */
export function refusedBecause(description: string): string {
  if (/maximum (messages|bytes)/i.test(description)) return 'the events stream is full (the audit service is behind or down)';
  return `the events stream refused it (${description})`;
}
