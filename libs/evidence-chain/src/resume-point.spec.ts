import { ResumePoint } from './resume-point';

describe('ResumePoint', () => {
  it('given events that share a position, when read again from it, then only the ones not applied are new', () => {
    const r = new ResumePoint();
    r.passed({ globalPosition: 7, eventId: 'a' });
    r.passed({ globalPosition: 7, eventId: 'b' });
    expect(r.position).toBe(7);
    expect([r.isNew({ globalPosition: 7, eventId: 'a' }), r.isNew({ globalPosition: 7, eventId: 'b' }), r.isNew({ globalPosition: 7, eventId: 'c' })]).toEqual([false, false, true]);
    expect(r.isNew({ globalPosition: 6, eventId: 'z' })).toBe(false);
    expect(r.isNew({ globalPosition: 8, eventId: 'a' })).toBe(true);
  });

  it('given a later position passed, then the ids of the earlier one are forgotten', () => {
    const r = new ResumePoint(3);
    r.passed({ globalPosition: 3, eventId: 'a' });
    r.passed({ globalPosition: 9, eventId: 'b' });
    expect(r.position).toBe(9);
    expect(r.isNew({ globalPosition: 9, eventId: 'a' })).toBe(true);
    expect(r.isNew({ globalPosition: 9, eventId: 'b' })).toBe(false);
  });

  it('counts the events applied at the resume position: what a page read from there gets back first', () => {
    const r = new ResumePoint();
    expect(r.appliedHere).toBe(0);
    r.passed({ globalPosition: 4, eventId: 'a' });
    r.passed({ globalPosition: 4, eventId: 'b' });
    expect(r.appliedHere).toBe(2);
    r.passed({ globalPosition: 5, eventId: 'c' });
    expect(r.appliedHere).toBe(1);
  });
});
