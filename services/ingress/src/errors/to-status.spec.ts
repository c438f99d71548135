import { formatSeconds, statusHeaders, toStatus } from './to-status';

describe('toStatus for approvals', () => {
  const ticket = {
    kind: 'approval-ticket' as const,
    rule: 'agents-delete-pods',
    reason: 'deleting a pod needs approval',
    approvalId: '7d3c',
    url: 'https://approvals.example/approvals/7d3c',
    expiresAt: '2026-01-01T00:05:00Z',
    grantTtlSeconds: 600,
    retryAfterSeconds: 10,
  };

  it('a ticket is a 403 naming the approval, where to look and how long the grant lasts, with headers', () => {
    const status = toStatus(ticket);
    expect(status).toMatchObject({ code: 403, reason: 'Forbidden', details: { name: '7d3c', kind: 'Approval', retryAfterSeconds: 10 } });
    expect(status.message).toContain('Approval 7d3c is pending (https://approvals.example/approvals/7d3c)');
    expect(status.message).toContain('within 10m');
    expect(statusHeaders(ticket)).toEqual({
      'x-chaperone-approval-id': '7d3c',
      'x-chaperone-approval-url': 'https://approvals.example/approvals/7d3c',
      'retry-after': '10',
    });
  });

  it('a denial carries the approver and the reason kubectl prints', () => {
    expect(toStatus({ kind: 'approval-denied', approvalId: 'a', by: 'bob', reason: 'not during the freeze' }).message).toBe(
      'chaperone: approval a was denied by bob: not during the freeze; the request was not sent',
    );
  });

  it('an unreachable approval service is 503; an oversized body 413', () => {
    expect(toStatus({ kind: 'approval-unavailable', message: 'x' }).code).toBe(503);
    expect(toStatus({ kind: 'body-too-large', limit: 10 }).code).toBe(413);
  });

  it.each([
    [600, '10m'],
    [150, '2m30s'],
    [3600, '1h'],
    [0, '0s'],
  ])('formats %p seconds as %p', (s, text) => expect(formatSeconds(s)).toBe(text));
});
