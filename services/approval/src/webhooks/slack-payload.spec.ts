import { decide, evolveAll, initialState, type ApprovalLifecycleEvent, type RequestApproval } from '../approvals';
import type { KnownApproval } from '../lifecycle/read-model';
import { isNotified, slackPayload, type NotifiedEvent } from './slack-payload';

const now = new Date('2026-01-01T10:00:00.000Z');
const request: RequestApproval = {
  type: 'RequestApproval',
  data: {
    approvalId: 'apr-1',
    requestFingerprint: `sha256:${'0'.repeat(64)}`,
    requester: { subject: 's', username: 'agent', agent: 'claude <bot>', groups: [] },
    request: { verb: 'patch', apiGroup: 'apps', resource: 'deployments', subresource: 'scale', namespace: 'shop', name: 'web', path: '/apis/apps/v1/namespaces/shop/deployments/web/scale' },
    reason: '',
    requireReason: false,
    rule: 'scale-needs-approval',
    approverGroups: ['sre'],
    requiredApprovals: 1,
    mode: 'ticket',
    expiresInSeconds: 300,
    grantTtlSeconds: 600,
    requestId: 'r',
    sessionId: 's',
    traceId: 't',
    interceptEventId: 'i',
    method: 'PATCH',
    query: '',
  },
};

function notified(event: ApprovalLifecycleEvent): NotifiedEvent {
  if (!isNotified(event)) throw new Error(`${event.type} is not notified`);
  return event;
}

function given(...events: ApprovalLifecycleEvent[]): KnownApproval {
  const state = evolveAll(events, initialState);
  if (state.status === 'none') throw new Error('no state');
  return state;
}

describe('the Slack-compatible webhook payload', () => {
  const [requested] = decide(request, initialState, { now }) as [ApprovalLifecycleEvent];

  it('given a request, then it names the request, the agent and the link, escaping Slack control characters', () => {
    const payload = slackPayload(notified(requested), given(requested), 'https://approvals.example.com/approvals/apr-1');
    expect(payload.text).toBe(
      'Approval requested: *patch deployments/scale/web.apps in shop* by agent *claude &lt;bot&gt;* <https://approvals.example.com/approvals/apr-1|approval apr-1>',
    );
    expect(JSON.stringify(payload.blocks)).toContain("*Agent's reason:* _(none given)_");
    expect(payload.blocks[2]).toEqual({
      type: 'actions',
      elements: [{ type: 'button', text: { type: 'plain_text', text: 'Review' }, url: 'https://approvals.example.com/approvals/apr-1' }],
    });
  });

  it('given a denial, then it carries the approver and the reason; votes and executions are not sent', () => {
    const denied: ApprovalLifecycleEvent = {
      type: 'ApprovalDenied',
      data: { approvalId: 'apr-1', at: now.toISOString(), approver: { subject: 'a', username: 'alice', groups: ['sre'] }, reason: 'not now & not <here>' },
    };
    expect(isNotified(denied)).toBe(true);
    const payload = slackPayload(notified(denied), given(requested, denied), 'u');
    expect(payload.text).toMatch(/^Denied by \*alice\*/);
    expect(JSON.stringify(payload.blocks)).toContain('*Reason:* not now &amp; not &lt;here&gt;');
    expect(isNotified({ type: 'ApprovalVoteRecorded', data: { ...denied.data } })).toBe(false);
    expect(isNotified({ type: 'ApprovalExecuted', data: { approvalId: 'apr-1', at: '', requestId: 'r' } })).toBe(false);
  });
});
