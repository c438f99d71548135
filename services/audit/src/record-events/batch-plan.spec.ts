import { randomUUID } from 'node:crypto';
import type { ChaperoneEvent } from '@chaperone/contracts';
import { groupByStream, isAfterTail, notStored, toNewEvent, type BusEvent } from './batch-plan';
import { streamFor } from './stream-name';

function event(sessionId: string, n: number): ChaperoneEvent {
  return {
    eventId: randomUUID(),
    schemaVersion: 1,
    type: 'RequestCompleted',
    time: '2026-01-01T00:00:00.000Z',
    requestId: `r-${n}`,
    sessionId,
    traceId: 't',
    identity: null,
    payload: { outcome: 'forwarded', status: 200, bytesOut: n, durationMs: 1 },
  };
}
const onBus = (busSequence: number, e: ChaperoneEvent): BusEvent => ({ event: e, busSequence });
const ids = (events: BusEvent[]) => events.map((e) => e.event.eventId);
const tailOf = (e: BusEvent, metadata: Record<string, unknown> = { busSequence: e.busSequence, partition: 3 }) => ({ eventId: e.event.eventId, metadata });

describe('groupByStream (a partition batch per session stream)', () => {
  it('given interleaved sessions, then one group per stream, each in bus order, groups in order of first event', () => {
    const [a1, b1, a2, c1, b2] = [event('a', 1), event('b', 1), event('a', 2), event('', 1), event('b', 2)];
    const batch = [onBus(10, a1), onBus(11, b1), onBus(12, a2), onBus(13, c1), onBus(14, b2)];
    const { streams, repeated } = groupByStream(batch);
    expect(streams.map((s) => [s.stream, ids(s.events)])).toEqual([
      [streamFor('a'), [a1.eventId, a2.eventId]],
      [streamFor('b'), [b1.eventId, b2.eventId]],
      ['unauthenticated', [c1.eventId]],
    ]);
    expect(repeated).toEqual([]);
  });

  it('given the events of one message (one bus sequence), then they stay together in their order', () => {
    const [i, d] = [event('a', 1), event('a', 2)];
    expect(groupByStream([onBus(7, i), onBus(7, d)]).streams.map((s) => ids(s.events))).toEqual([[i.eventId, d.eventId]]);
  });

  it('given an event id twice in one batch (a message delivered again), then it is kept once, at its first place', () => {
    const [a1, a2] = [event('a', 1), event('a', 2)];
    const { streams, repeated } = groupByStream([onBus(1, a1), onBus(2, a2), onBus(1, a1)]);
    expect(streams.map((s) => ids(s.events))).toEqual([[a1.eventId, a2.eventId]]);
    expect(ids(repeated)).toEqual([a1.eventId]);
  });
  it('given an event id the writer stored lately, then it is not kept, and counts as repeated', () => {
    const [old, fresh] = [event('a', 1), event('a', 2)];
    const { streams, repeated } = groupByStream([onBus(20, old), onBus(20, fresh)], new Set([old.eventId]));
    expect(streams.map((s) => ids(s.events))).toEqual([[fresh.eventId]]);
    expect(ids(repeated)).toEqual([old.eventId]);
  });
});

describe('isAfterTail (may the events go straight onto the stream, without looking at it)', () => {
  const [s1, s2, s3] = [onBus(20, event('a', 1)), onBus(21, event('a', 2)), onBus(21, event('a', 3))];

  it('given every event came on the bus after the tail\'s message, then yes', () => {
    expect(isAfterTail([s2, s3], tailOf(s1))).toBe(true);
  });

  it('given a redelivery of the tail\'s own message (a crash after part of a message was stored), then no', () => {
    expect(isAfterTail([s2, s3], tailOf(s2))).toBe(false);
  });

  it('given events from before the tail (a lost acknowledgement), then no', () => {
    expect(isAfterTail([s1, s2], tailOf(s2))).toBe(false);
  });

  it('given the tail is one of the events (published again under another message id), then no', () => {
    expect(isAfterTail([onBus(99, s1.event)], tailOf(s1))).toBe(false);
  });

  it('given a tail without a bus sequence (written by something else), then no', () => {
    expect(isAfterTail([s2], tailOf(s1, { chainHash: 'x' }))).toBe(false);
    expect(isAfterTail([s2], tailOf(s1, { busSequence: '20' }))).toBe(false);
  });
});

describe('notStored (what a redelivered batch still needs)', () => {
  const group = [1, 2, 3, 4].map((n) => onBus(30 + n, event('a', n)));

  it('given a prefix stored by a writer that crashed mid-append, then only the rest, in order', () => {
    expect(ids(notStored(group, new Set(ids(group.slice(0, 2)))))).toEqual(ids(group.slice(2)));
  });

  it('given everything stored (the acknowledgement was lost), then nothing', () => {
    expect(notStored(group, new Set(ids(group)))).toEqual([]);
  });

  it('given nothing stored, then everything', () => {
    expect(notStored(group, new Set(['unrelated']))).toEqual(group);
  });
});

describe('toNewEvent', () => {
  it('stores the event as data under its own id and type, with where it came from on the bus and the reconciler\'s tags', () => {
    const e = event('a', 1);
    expect(toNewEvent(onBus(42, e), 5)).toEqual({ eventId: e.eventId, type: 'RequestCompleted', data: e, metadata: { busSequence: 42, partition: 5 }, tags: { request: 'r-1' } });
  });
});
