import type { RequestView } from './request-view';
import { SessionIndex } from './session-index';

/** The fields the index reads of a request; the rest of a view does not matter to it. */
function view(requestId: string, sessionId: string, time: string, terms: { namespace?: string; resource?: string; effect?: 'allow' | 'deny' | 'mask' }): RequestView {
  const info = terms.namespace ? { isResourceRequest: true, namespace: terms.namespace, resource: terms.resource ?? 'pods' } : null;
  const decision = terms.effect ? { effect: terms.effect, rule: 'r', policyVersion: 'v', reason: '', matchedRules: [] } : null;
  return { requestId, sessionId, time, info, decision } as unknown as RequestView;
}

const at = (iso: string): number => Date.parse(iso);

describe('the session index as a request evolves', () => {
  it('given a request indexed at its interception, when its decision comes, then it is found by the decision and still by its time and terms', () => {
    const index = new SessionIndex();
    index.request(view('r1', 's1', '2026-02-01T10:00:00.000Z', { namespace: 'default', resource: 'pods' }));
    index.request(view('r2', 's2', '2026-02-01T11:00:00.000Z', { namespace: 'default', resource: 'pods', effect: 'allow' }));
    expect(index.sessionsWith({ decision: 'deny' })).toEqual(new Set());

    index.request(view('r1', 's1', '2026-02-01T10:00:00.000Z', { namespace: 'default', resource: 'pods', effect: 'deny' }));

    expect(index.sessionsWith({ decision: 'deny' })).toEqual(new Set(['s1']));
    expect(index.sessionsWith({ namespace: 'default' })).toEqual(new Set(['s1', 's2']));
    expect(index.sessionsWith({ namespace: 'default', decision: 'deny', from: at('2026-02-01T09:00:00Z'), to: at('2026-02-01T10:30:00Z') })).toEqual(new Set(['s1']));
    expect(index.sessionsWith({ from: at('2026-02-01T10:30:00Z') })).toEqual(new Set(['s2']));
  });

  it('given a request whose terms and time change, when read again, then the old ones find it no more', () => {
    const index = new SessionIndex();
    index.request(view('r1', 's1', '2026-02-01T10:00:00.000Z', { namespace: 'a', resource: 'pods', effect: 'mask' }));
    index.request(view('r1', 's1', '2026-02-01T12:00:00.000Z', { namespace: 'b', resource: 'pods', effect: 'allow' }));

    expect(index.sessionsWith({ namespace: 'a' })).toEqual(new Set());
    expect(index.sessionsWith({ decision: 'mask' })).toEqual(new Set());
    expect(index.sessionsWith({ namespace: 'b', decision: 'allow' })).toEqual(new Set(['s1']));
    expect(index.sessionsWith({ resource: 'pods', from: at('2026-02-01T09:00:00Z'), to: at('2026-02-01T11:00:00Z') })).toEqual(new Set());
    expect(index.sessionsWith({ resource: 'pods', from: at('2026-02-01T11:00:00Z') })).toEqual(new Set(['s1']));
  });

  it('given a session with two requests, when one of them leaves a term, then the session still has it through the other', () => {
    const index = new SessionIndex();
    index.request(view('r1', 's1', '2026-02-01T10:00:00.000Z', { namespace: 'a', effect: 'deny' }));
    index.request(view('r2', 's1', '2026-02-01T10:01:00.000Z', { namespace: 'a', effect: 'deny' }));
    index.request(view('r1', 's1', '2026-02-01T10:00:00.000Z', { namespace: 'a', effect: 'allow' }));
    expect(index.sessionsWith({ decision: 'deny' })).toEqual(new Set(['s1']));
    index.request(view('r2', 's1', '2026-02-01T10:01:00.000Z', { namespace: 'a', effect: 'allow' }));
    expect(index.sessionsWith({ decision: 'deny' })).toEqual(new Set());
    expect(index.sessionsWith({ decision: 'allow' })).toEqual(new Set(['s1']));
  });
});
