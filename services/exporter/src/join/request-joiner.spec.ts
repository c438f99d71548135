import { sampleRequestEvents } from '../testing/sample-events';
import { dropStale, initialJoinerState, join, resumePosition } from './request-joiner';

const at = (globalPosition: number) => ({ globalPosition, stream: 'session-s', eventId: `e${globalPosition}`, recordedAt: '2025-03-04T05:06:08.000Z' });

describe('request joiner', () => {
  it('given two interleaved requests, each completion yields its own joined record and closes it', () => {
    const state = initialJoinerState();
    const [a1, a2, a3] = sampleRequestEvents({ requestId: 'a', sessionId: 's' });
    const [b1, b2, b3] = sampleRequestEvents({ requestId: 'b', sessionId: 's', effect: 'deny' });
    expect(join(state, a1!, at(1))).toBeUndefined();
    expect(join(state, b1!, at(2))).toBeUndefined();
    expect(join(state, b2!, at(3))).toBeUndefined();
    expect(join(state, a2!, at(4))).toBeUndefined();
    expect(resumePosition(state, 4)).toBe(1);
    const b = join(state, b3!, at(5));
    expect(b).toMatchObject({ kind: 'request', requestId: 'b', intercepted: b1, decided: b2, completed: b3, at: { globalPosition: 5 } });
    expect(resumePosition(state, 5)).toBe(1);
    expect(join(state, a3!, at(6))).toMatchObject({ requestId: 'a', intercepted: a1, decided: a2 });
    expect(resumePosition(state, 6)).toBe(7);
  });

  it('a completion whose interception was never read is still exported, with what there is', () => {
    const [, , done] = sampleRequestEvents({ requestId: 'c', sessionId: 's' });
    const record = join(initialJoinerState(), done!, at(9));
    expect(record).toMatchObject({ kind: 'request', requestId: 'c', completed: done });
    expect(record).not.toHaveProperty('intercepted');
  });

  it('a request open longer than the limit (event time) stops holding the checkpoint back', () => {
    const state = initialJoinerState();
    const [first] = sampleRequestEvents({ requestId: 'd', sessionId: 's' });
    join(state, first!, at(3));
    const t = Date.parse(first!.time);
    expect(dropStale(state, t + 1000, 5000)).toEqual([]);
    expect(resumePosition(state, 10)).toBe(3);
    expect(dropStale(state, t + 6000, 5000)).toEqual(['d']);
    expect(resumePosition(state, 10)).toBe(11);
  });
});
