import type { ApprovalSpec } from '@chaperone/contracts';
import { approvalTerms, MAX_REASON_CHARS } from './approval-headers';

const spec = (overrides: Partial<ApprovalSpec> = {}): ApprovalSpec => ({
  mode: 'hold',
  modeHeaderAllowed: false,
  timeoutSeconds: 300,
  approverGroups: ['approvers'],
  requiredApprovals: 1,
  requireReason: false,
  grantTtlSeconds: 600,
  ...overrides,
});

describe('approvalTerms: what the agent says about its approval', () => {
  it('given no headers, then no reason and the rule’s mode', () => {
    expect(approvalTerms({}, spec({ mode: 'ticket' }))).toEqual({ ok: true, reason: '', mode: 'ticket' });
  });

  it('reads a UTF-8 reason (Node hands header bytes over as latin1), trimmed', () => {
    const latin1 = Buffer.from('  restart the stuck worker – ticket #42 ', 'utf8').toString('latin1');
    expect(approvalTerms({ 'x-chaperone-reason': latin1 }, spec())).toMatchObject({ ok: true, reason: 'restart the stuck worker – ticket #42' });
  });

  it('given a rule that requires a reason and none, then refused with the header to send', () => {
    const terms = approvalTerms({ 'x-chaperone-reason': '   ' }, spec({ requireReason: true }));
    expect(terms).toEqual({ ok: false, status: 'reason-required', message: expect.stringContaining('X-Chaperone-Reason') });
  });

  it.each([
    ['control characters', 'fine\u0007bell'],
    ['too long', 'x'.repeat(MAX_REASON_CHARS + 1)],
    ['not UTF-8', Buffer.from([0x66, 0xff, 0x66]).toString('latin1')],
  ])('refuses a reason with %s as a bad request', (_what, value) => {
    expect(approvalTerms({ 'x-chaperone-reason': value }, spec())).toMatchObject({ ok: false, status: 'bad-request' });
  });

  it('lets the agent pick the mode only where the rule allows it', () => {
    expect(approvalTerms({ 'x-chaperone-approval-mode': 'Ticket' }, spec({ modeHeaderAllowed: true }))).toMatchObject({ ok: true, mode: 'ticket' });
    expect(approvalTerms({ 'x-chaperone-approval-mode': 'ticket' }, spec())).toEqual({
      ok: false,
      status: 'bad-request',
      message: expect.stringContaining('does not let the agent choose the approval mode (it uses hold)'),
    });
    // Asking for the rule's own mode changes nothing and is accepted.
    expect(approvalTerms({ 'x-chaperone-approval-mode': 'hold' }, spec())).toMatchObject({ ok: true, mode: 'hold' });
    expect(approvalTerms({ 'x-chaperone-approval-mode': 'later' }, spec({ modeHeaderAllowed: true }))).toMatchObject({ ok: false, status: 'bad-request' });
  });
});
