import { createHash } from 'node:crypto';
import { context, trace, TraceFlags, type Context } from '@opentelemetry/api';
import { partitionOfEvents, type ChaperoneEvent } from '@chaperone/contracts';
import { answerToken } from './answer-in-subject';
import { EventNotRecorded, eventTypesOf, type DurableEventPublisher } from './durable-event-publisher';

export interface GroupCommitLimits {
  /** Events in one message at most. */
  maxEvents: number;
  /**
   * JSON characters in one message at most. A character is 1 to 3 bytes, so the default stays
   * under the events stream's 1 MiB message limit whatever the text.
   */
  maxChars: number;
}

export const GROUP_COMMIT_LIMITS: GroupCommitLimits = { maxEvents: 64, maxChars: 256 * 1024 };

/** How a write was made durable. */
export type Committed =
  /** The events stream acknowledged the message here. */
  | { readonly by: 'stored' }
  /** The write went alone, with its acknowledgement sent to the writer's `acknowledgeTo`. */
  | { readonly by: 'handed-off'; readonly acknowledgeTo: string }
  /** The write went alone, with its acknowledgement sent to `<acknowledgeTo>.<answer>` (answerToken): the answer has gone too. */
  | { readonly by: 'answered' };

/**
 * Where a writer wants the stream's acknowledgement of a lone write, and the answer it may carry
 * (one more subject token, answerToken). Taken only for a write that goes alone; a group is
 * acknowledged here, and its writers answer themselves.
 */
export interface HandOff {
  readonly acknowledgeTo: string;
  readonly answer?: unknown;
}

interface Writer {
  readonly events: readonly [ChaperoneEvent, ...ChaperoneEvent[]];
  /** The writer's trace context when it is sampled: the message carries its last writer's. */
  readonly traced: Context | undefined;
  readonly handOff: HandOff | undefined;
  resolve(c: Committed): void;
  reject(e: Error): void;
}

interface Group {
  /** Every writer's events, each as its JSON text, in order. */
  readonly encoded: string[];
  chars: number;
  readonly writers: Writer[];
}

/**
 * Which writes go together.
 * - `read`: those asked for while one socket read is handled (a responder's messages of one read,
 *   taken one after the other without awaiting): sent at that read's microtask checkpoint, so a
 *   lone write waits for nothing else.
 * - `loop`: those asked for in one turn of the event loop (callbacks of several sockets, such as
 *   several responses from the cluster): sent at `setImmediate`, once the turn has handled every
 *   socket that was ready.
 */
export type CommitRound = 'read' | 'loop';

/**
 * Group commit on the events stream. The writes asked for in one round (CommitRound) leave, once
 * it is over, as ONE message per partition: one JetStream write and one acknowledgement for the
 * group instead of one each, and one message for the audit service to read and acknowledge.
 * Every writer's promise settles with its message: stored together or not at all.
 *
 * A writer's events stay together and in its order, and writes of a partition keep the order in
 * which they were asked for, so each session's events reach the bus in the order written. A lone
 * write's message id is its last event's id (its retry is stored once); a group's is a digest of
 * all its events' ids, so only the same group again is taken for a retry. A writer that retries
 * after a failed group may store events the group did store after all: the audit service stores an
 * event id once. Given a hand-off, a lone write is published with its `acknowledgeTo` (and the
 * answer as one more token, when it has one that fits) as reply subject and not waited on
 * (`handed-off`, `answered`): whoever listens there gets the stream's acknowledgement, one hop
 * sooner than through this process. A message carries the trace context of its last writer.
 */
export class GroupCommit {
  /**
   * The round's open group of each partition, indexed by partition (a handful). Not a Map cleared
   * every round, for the reason perRequestTable gives: it would keep every later round's groups
   * (and their writers' requests) alive through young collections.
   */
  private readonly open: (Group | undefined)[] = [];
  private scheduled = false;

  constructor(
    private readonly publisher: DurableEventPublisher,
    private readonly round: CommitRound,
    private readonly limits: GroupCommitLimits = GROUP_COMMIT_LIMITS,
  ) {}

  write(events: readonly [ChaperoneEvent, ...ChaperoneEvent[]], handOff?: HandOff): Promise<Committed> {
    const partition = partitionOfEvents(events);
    if (partition === undefined) return Promise.reject(new EventNotRecorded(eventTypesOf(events), 'the events belong to different partitions'));
    const encoded = events.map((e) => JSON.stringify(e));
    const chars = encoded.reduce((n, json) => n + json.length + 1, 1);
    let group = this.open[partition];
    if (group && (group.encoded.length + encoded.length > this.limits.maxEvents || group.chars + chars > this.limits.maxChars)) {
      this.send(group);
      group = undefined;
    }
    if (!group) {
      group = { encoded: [], chars: 1, writers: [] };
      this.open[partition] = group;
    }
    group.encoded.push(...encoded);
    group.chars += chars;
    if (!this.scheduled) {
      this.scheduled = true;
      if (this.round === 'read') queueMicrotask(() => this.flush());
      else setImmediate(() => this.flush());
    }
    const joined = group;
    return new Promise<Committed>((resolve, reject) => joined.writers.push({ events, traced: sampled(), handOff, resolve, reject }));
  }

  private flush(): void {
    this.scheduled = false;
    for (let partition = 0; partition < this.open.length; partition++) {
      const group = this.open[partition];
      this.open[partition] = undefined;
      if (group) this.send(group);
    }
  }

  private send(group: Group): void {
    const { traced } = group.writers[group.writers.length - 1] as Writer;
    // Entering a context turns on Node's promise hooks for good (AsyncLocalStorage): only for a sampled trace.
    if (traced) context.with(traced, () => this.publish(group));
    else this.publish(group);
  }

  private publish(group: Group): void {
    const [only, ...others] = group.writers as [Writer, ...Writer[]];
    const last = (group.writers[group.writers.length - 1] as Writer).events;
    const named = last[last.length - 1] as ChaperoneEvent;
    if (others.length === 0 && only.handOff !== undefined) {
      const { acknowledgeTo, answer } = only.handOff;
      // Encoded only here, for a write that goes alone: a grouped writer answers itself.
      const token = answer === undefined ? undefined : answerToken(answer);
      try {
        this.publisher.publishEncodedAcknowledgedTo(group.encoded, named, token === undefined ? acknowledgeTo : `${acknowledgeTo}.${token}`);
        only.resolve(token === undefined ? { by: 'handed-off', acknowledgeTo } : { by: 'answered' });
      } catch (e) {
        only.reject(new EventNotRecorded(eventTypesOf(only.events), e instanceof Error ? e.message : 'publish failed'));
      }
      return;
    }
    const lone = others.length === 0;
    const sent = lone
      ? this.publisher.publishEncoded(group.encoded, named, eventTypesOf(only.events))
      : this.publisher.publishEncoded(group.encoded, named, `${group.encoded.length} events`, groupMessageId(group.writers));
    sent.then(
      () => {
        for (const w of group.writers) w.resolve({ by: 'stored' });
      },
      (e: unknown) => {
        // Each writer hears of its own events, with the stream's reason.
        const why = e instanceof EventNotRecorded ? e.why : e instanceof Error ? e.message : 'publish failed';
        for (const w of group.writers) w.reject(new EventNotRecorded(eventTypesOf(w.events), why));
      },
    );
  }
}

/**
 * A group's message id names exactly its events: the server drops a message whose id it has seen
 * (a retry) as stored, so a group named by its last event alone would be dropped whole if that
 * event had gone before in another group, and its other events lost.
 */
function groupMessageId(writers: readonly Writer[]): string {
  const hash = createHash('sha256');
  for (const w of writers) for (const e of w.events) hash.update(`${e.eventId}\n`);
  return `group-${hash.digest('hex').slice(0, 40)}`;
}

/** The active context, when its span is sampled (an exporter is configured). */
function sampled(): Context | undefined {
  const active = context.active();
  const sc = trace.getSpanContext(active);
  return sc && (sc.traceFlags & TraceFlags.SAMPLED) !== 0 ? active : undefined;
}

