import { randomUUID } from 'node:crypto';
import type { NewEvent } from '../port';
import { SerializedEvent } from '../serialized-data';
import { EvidenceHeaders, MESSAGE_MAX_BODY_BYTES, MESSAGE_MAX_EVENTS, messagesFor, recordedEvents, storedIds } from './stored-message';

const event = (type: string, data: unknown, metadata?: Record<string, unknown>): NewEvent => ({ eventId: randomUUID(), type, data, ...(metadata ? { metadata } : {}) });
const at = new Date('2026-12-04T03:00:00.000Z');

describe('stored messages', () => {
  it('given one event, when published, then it is one message in the one-event form', () => {
    const e = event('PolicyDecided', { allowed: true }, { chainHash: 'abc' });
    const [m, ...rest] = messagesFor('session-1', 4, [e]);
    expect(rest).toEqual([]);
    expect(m?.headers.get(EvidenceHeaders.eventType)).toBe('PolicyDecided');
    expect(m?.headers.get(EvidenceHeaders.count)).toBe('');
    const read = recordedEvents('session-1', 's', 9, m?.headers, m?.body as Uint8Array, at);
    expect(read).toEqual([
      { stream: 'session-1', revision: 4, globalPosition: 9, eventId: e.eventId, type: 'PolicyDecided', data: { allowed: true }, metadata: { chainHash: 'abc' }, recordedAt: at.toISOString() },
    ]);
  });

  it('given several events, when published, then they are one message whose events share its position', () => {
    const events = [event('RequestIntercepted', { n: 1 }, { k: 'v' }), event('PolicyDecided', null), event('RequestCompleted', [1, 2])];
    const messages = messagesFor('session-2', 0, events);
    expect(messages).toHaveLength(1);
    const m = messages[0];
    expect(storedIds(m?.headers, 's')).toEqual({ revision: 0, ids: events.map((e) => e.eventId), packed: true });
    const read = recordedEvents('session-2', 's', 12, m?.headers, m?.body as Uint8Array, at);
    expect(read.map((e) => [e.revision, e.globalPosition, e.eventId, e.type, e.data, e.metadata])).toEqual([
      [0, 12, events[0]?.eventId, 'RequestIntercepted', { n: 1 }, { k: 'v' }],
      [1, 12, events[1]?.eventId, 'PolicyDecided', null, {}],
      [2, 12, events[2]?.eventId, 'RequestCompleted', [1, 2], {}],
    ]);
  });

  it('given more events than a message holds, then they go in consecutive messages with running revisions', () => {
    const events = Array.from({ length: MESSAGE_MAX_EVENTS * 2 + 1 }, (_, i) => event('E', { i }));
    const messages = messagesFor('s', 10, events);
    expect(messages.map((m) => m.events.length)).toEqual([MESSAGE_MAX_EVENTS, MESSAGE_MAX_EVENTS, 1]);
    expect(messages.map((m) => storedIds(m.headers, 's').revision)).toEqual([10, 10 + MESSAGE_MAX_EVENTS, 10 + 2 * MESSAGE_MAX_EVENTS]);
  });

  it('given events larger than a message body, then a message closes before it passes the size (one large event still goes alone)', () => {
    const big = 'x'.repeat(MESSAGE_MAX_BODY_BYTES / 2);
    const events = [event('E', big), event('E', big), event('E', big), event('E', 'y'.repeat(MESSAGE_MAX_BODY_BYTES * 2))];
    const messages = messagesFor('s', 0, events);
    expect(messages.map((m) => m.events.length)).toEqual([1, 1, 1, 1]);
    for (const m of messages.slice(0, 3)) expect(m.body.length).toBeLessThanOrEqual(MESSAGE_MAX_BODY_BYTES + 64);
  });

  it('given events beyond ASCII, then the body is their exact UTF-8, sized in bytes, and reads back the same', () => {
    const events = [event('E', { s: 'grüße → 検査 🔐' }, { who: 'zoë' }), event('E', ['ü'])];
    const [m] = messagesFor('s', 0, events);
    expect(Buffer.from(m?.body as Uint8Array).toString('utf8')).toBe(JSON.stringify(events.map((e) => ({ type: e.type, data: e.data, ...(e.metadata ? { metadata: e.metadata } : {}) }))));
    expect(recordedEvents('s', 'subj', 3, m?.headers, m?.body as Uint8Array, at).map((e) => [e.data, e.metadata])).toEqual([
      [{ s: 'grüße → 検査 🔐' }, { who: 'zoë' }],
      [['ü'], {}],
    ]);
    // Two-byte characters: two events of half the limit in characters each pass it in bytes together.
    const wide = [event('E', 'é'.repeat(MESSAGE_MAX_BODY_BYTES / 4)), event('E', 'é'.repeat(MESSAGE_MAX_BODY_BYTES / 4))];
    const split = messagesFor('s', 0, wide);
    expect(split.map((x) => x.events.length)).toEqual([1, 1]);
  });

  it('given events whose writer made their data JSON, then that text is stored, and the others are serialized', () => {
    const made = new SerializedEvent(randomUUID(), 'E', { b: 1, a: 2 }, { k: 'v' }, '{"a":2,"b":1}');
    const [one] = messagesFor('s', 0, [made]);
    expect(Buffer.from(one?.body as Uint8Array).toString('utf8')).toBe('{"a":2,"b":1}');
    const plain = event('E', { b: 1, a: 2 });
    const [pack] = messagesFor('s', 0, [made, plain]);
    expect(Buffer.from(pack?.body as Uint8Array).toString('utf8')).toBe('[{"type":"E","data":{"a":2,"b":1},"metadata":{"k":"v"}},{"type":"E","data":{"b":1,"a":2}}]');
    expect(recordedEvents('s', 'subj', 2, pack?.headers, pack?.body as Uint8Array, at).map((e) => e.data)).toEqual([{ a: 2, b: 1 }, { a: 2, b: 1 }]);
    // A copy of the event is another object: its data is serialized as usual.
    const [copy] = messagesFor('s', 0, [{ ...made }]);
    expect(Buffer.from(copy?.body as Uint8Array).toString('utf8')).toBe('{"b":1,"a":2}');
  });

  it('refuses a several-event message whose ids and body disagree', () => {
    const [m] = messagesFor('s', 0, [event('A', 1), event('B', 2)]);
    m?.headers.set(EvidenceHeaders.eventIds, 'only-one');
    expect(() => recordedEvents('s', 'subj', 1, m?.headers, m?.body as Uint8Array, at)).toThrow(/does not name 2 events/);
  });
});
