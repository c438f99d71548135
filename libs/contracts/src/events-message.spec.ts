import { randomUUID } from 'node:crypto';
import type { ChaperoneEvent } from './events';
import { parseEventsMessage } from './events-message';
import { partitionOf } from './subjects';
import { ContractViolation } from './validate';

function completed(sessionId: string, n: number): ChaperoneEvent {
  return {
    eventId: randomUUID(),
    schemaVersion: 1,
    type: 'RequestCompleted',
    time: new Date().toISOString(),
    requestId: `r-${n}`,
    sessionId,
    traceId: 't',
    identity: null,
    payload: { outcome: 'forwarded', status: 200, bytesOut: n, durationMs: 1 },
  };
}

describe('parseEventsMessage (what one events message carries)', () => {
  it('given one event, then it is the only event', () => {
    const e = completed('s', 1);
    expect(parseEventsMessage(e)).toEqual([e]);
  });

  it('given an array of one session\'s events, then all of them, in order', () => {
    const events = [completed('s', 1), completed('s', 2), completed('s', 3)];
    expect(parseEventsMessage(events)).toEqual(events);
  });

  it('given an array of events of two sessions in one partition, then all of them, in order', () => {
    expect(partitionOf('a')).toBe(partitionOf('i'));
    const events = [completed('a', 1), completed('i', 2), completed('a', 3)];
    expect(parseEventsMessage(events)).toEqual(events);
  });

  it('given an array with one malformed element, then the whole message is refused, naming the element', () => {
    const bad = { ...completed('s', 2), payload: { outcome: 'forwarded', status: 'secret-value' } };
    const err = (() => {
      try {
        parseEventsMessage([completed('s', 1), bad]);
      } catch (e) {
        return e;
      }
    })();
    expect(err).toBeInstanceOf(ContractViolation);
    expect((err as Error).message).toMatch(/EventsMessage does not match its contract: 1\.payload\.status/);
    expect((err as Error).message).not.toContain('secret-value');
  });

  it('given events of two partitions, an empty array or no event, then it is refused', () => {
    expect(partitionOf('a')).not.toBe(partitionOf('b'));
    expect(() => parseEventsMessage([completed('a', 1), completed('b', 2)])).toThrow(/one partition/);
    expect(() => parseEventsMessage([])).toThrow(ContractViolation);
    expect(() => parseEventsMessage({ type: 'RequestCompleted' })).toThrow(ContractViolation);
    expect(() => parseEventsMessage('x')).toThrow(ContractViolation);
  });
});
