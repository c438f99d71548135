import type { ChaperoneEvent } from '@chaperone/contracts';
import { emptyReadModel, newRequestView, type RequestView } from '../read-model';
import { approvalsByStatus, type ApprovalRow } from './approval-rows';
import { burstsOf } from './bursts';
import { changeRows } from './change-rows';
import { denialRows } from './denial-rows';
import { policyVersionRows } from './policy-version-rows';
import { periodTest, requestsInPeriod } from './report-period';
import { secretReadRows } from './secret-read-rows';

const T0 = Date.UTC(2026, 0, 1);
const at = (s: number) => new Date(T0 + s * 1000).toISOString();

/** A request view as the read model folds one: `decision` and `info` are what the steps read. */
function request(id: string, seconds: number, o: { agent?: string; verb?: string; resource?: string; effect?: 'allow' | 'mask' | 'approve' | 'deny'; rule?: string; version?: string } = {}): RequestView {
  const event = { requestId: id, sessionId: 's1', time: at(seconds), identity: { agent: o.agent ?? 'bot', username: 'bot', subject: 'sub' } };
  return {
    ...newRequestView(event as unknown as ChaperoneEvent),
    info: { isResourceRequest: true, verb: o.verb ?? 'get', apiGroup: '', apiVersion: 'v1', resource: o.resource ?? 'pods', subresource: '', namespace: 'ns', name: 'n', path: '/' } as unknown as RequestView['info'],
    decision: o.effect ? { effect: o.effect, rule: o.rule ?? 'r', policyVersion: o.version ?? 'v1', reason: 'why', matchedRules: [] } : null,
    masking: o.effect === 'mask' ? { count: 2, paths: [], detectors: {}, profile: 'p', events: 1 } : null,
  };
}

function modelOf(requests: RequestView[]) {
  const model = emptyReadModel();
  for (const r of requests) model.requests.set(r.requestId, r);
  return model;
}

describe('SOC 2 report steps', () => {
  it('given requests in and out of the period, when selected, then only [from, to) is kept, in time order then by id', () => {
    const model = modelOf([request('c', 10), request('a', 5), request('b', 5), request('late', 60), request('early', -1)]);
    const inP = periodTest({ from: at(0), to: at(60) });
    expect(requestsInPeriod(model, inP).map((r) => r.requestId)).toEqual(['a', 'b', 'c']);
  });

  it('given requests decided by two policy versions, when counted, then each version lists its rules most used first, first version first', () => {
    const rows = policyVersionRows([
      request('1', 1, { effect: 'allow', rule: 'read', version: 'v1' }),
      request('2', 2, { effect: 'deny', rule: 'deny-all', version: 'v1' }),
      request('3', 3, { effect: 'allow', rule: 'read', version: 'v1' }),
      request('4', 4, { effect: 'allow', rule: 'read', version: 'v2' }),
      request('5', 5),
    ]);
    expect(rows).toEqual([
      { policyVersion: 'v1', firstSeen: at(1), lastSeen: at(3), decisions: 3, rules: 'read=2 deny-all=1' },
      { policyVersion: 'v2', firstSeen: at(4), lastSeen: at(4), decisions: 1, rules: 'read=1' },
    ]);
  });

  it('given denied, masked and held requests, when listed, then denials are the denied ones and secret reads the let-through reads of secrets', () => {
    const requests = [
      request('d', 1, { effect: 'deny', resource: 'secrets' }),
      request('m', 2, { effect: 'mask', resource: 'secrets' }),
      request('h', 3, { effect: 'approve', resource: 'secrets' }),
      request('p', 4, { effect: 'allow', resource: 'pods' }),
    ];
    const model = modelOf(requests);
    expect(denialRows(model, requests).map((r) => [r.requestId, r.rule, r.owner])).toEqual([['d', 'r', '']]);
    expect(secretReadRows(model, requests).map((r) => [r.requestId, r.maskedValues, r.unmasked])).toEqual([['m', 2, false]]);
  });

  it('given reads and a delete, when changes are listed, then only the delete is a change, whatever its decision', () => {
    const requests = [request('r', 1, { effect: 'allow' }), request('x', 2, { verb: 'delete', effect: 'deny' })];
    expect(changeRows(modelOf(requests), requests).map((c) => [c.requestId, c.verb, c.decision, c.approvalId])).toEqual([['x', 'delete', 'deny', '']]);
  });

  it('given three denials by one agent within the window and one by another, when bursts are found, then one burst, of the first agent', () => {
    const rule = { threshold: 3, windowSeconds: 10 };
    const denials = [{ agent: 'b', time: at(0) }, { agent: 'a', time: at(1) }, { agent: 'a', time: at(2) }, { agent: 'a', time: at(3) }];
    expect(burstsOf(denials, [], rule)).toEqual([{ agent: 'a', kind: 'denials', start: at(1), end: at(3), count: 3 }]);
    expect(burstsOf([], denials, rule).map((b) => b.kind)).toEqual(['secret-reads']);
  });

  it('given approvals in two statuses, when counted by status, then every status is present and the rest are 0', () => {
    const rows = [{ status: 'denied' }, { status: 'executed' }, { status: 'executed' }] as ApprovalRow[];
    expect(approvalsByStatus(rows)).toEqual({ pending: 0, granted: 0, denied: 1, expired: 0, cancelled: 0, executed: 2 });
  });
});
