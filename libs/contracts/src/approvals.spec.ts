import {
  ApprovalLifecycleEventSchema,
  ClaimGrantReplySchema,
  DecisionSchema,
  OpenApprovalReplySchema,
  OpenApprovalSchema,
  approvalStream,
  busSubjects,
  requestFingerprint,
} from './index';

const spec = {
  mode: 'ticket',
  modeHeaderAllowed: true,
  timeoutSeconds: 300,
  approverGroups: ['sre'],
  requiredApprovals: 2,
  requireReason: true,
  grantTtlSeconds: 600,
} as const;

describe('approval contracts', () => {
  it('names the approval subjects under the prefix, one changed subject per approval', () => {
    const s = busSubjects('t-apr');
    expect([s.approvalOpen, s.approvalClaim, s.approvalGet, s.approvalCancel]).toEqual([
      't-apr.approval.open',
      't-apr.approval.claim',
      't-apr.approval.get',
      't-apr.approval.cancel',
    ]);
    expect(s.approvalChanged('0b1e')).toBe('t-apr.approval.changed.0b1e');
    expect(s.approvalChangedAll).toBe('t-apr.approval.changed.*');
    expect(() => s.approvalChanged('a.b')).toThrow(/subject token/);
    expect(approvalStream('0b1e')).toBe('approval-0b1e');
  });

  it('carries the approval terms in a decision, and refuses terms nobody could satisfy', () => {
    const decision = {
      effect: 'approve',
      rule: 'approve-deletes',
      policyVersion: 'sha256:x',
      reason: 'r',
      matchedRules: ['approve-deletes'],
      mask: false,
      unmasked: false,
      maskProfile: 'default',
      record: 'none',
    };
    expect(DecisionSchema.parse({ ...decision, approval: spec }).approval).toEqual(spec);
    expect(DecisionSchema.safeParse({ ...decision, approval: { ...spec, approverGroups: [] } }).success).toBe(false);
    expect(DecisionSchema.safeParse({ ...decision, approval: { ...spec, requiredApprovals: 0 } }).success).toBe(false);
  });

  it('validates an open request and the replies of both sides', () => {
    const fp = requestFingerprint({ subject: 's', verb: 'delete', path: '/api/v1/pods/x', query: '', bodyDigest: '' });
    const open = {
      schemaVersion: 1,
      requestId: 'r',
      sessionId: 's',
      traceId: 't',
      interceptEventId: 'i',
      decisionEventId: 'd',
      identity: { subject: 's', username: 'u', groups: [], agent: 'a', issuer: 'https://i' },
      request: { isResourceRequest: false, path: '/healthz', verb: 'get' },
      method: 'DELETE',
      path: '/api/v1/pods/x',
      query: '',
      requestFingerprint: fp,
      reason: '',
      rule: 'r',
      spec,
    };
    expect(OpenApprovalSchema.safeParse(open).success).toBe(true);
    expect(OpenApprovalSchema.safeParse({ ...open, requestFingerprint: 'md5:1' }).success).toBe(false);
    expect(OpenApprovalReplySchema.parse({ outcome: 'pending', approvalId: 'a', expiresAt: 'x', created: true }).outcome).toBe('pending');
    expect(ClaimGrantReplySchema.safeParse({ outcome: 'not-granted', status: 'none', reason: '' }).success).toBe(false);
  });

  it('reads a stored lifecycle event back by its type', () => {
    const event = ApprovalLifecycleEventSchema.parse({ type: 'ApprovalExecuted', data: { approvalId: 'a', at: 't', requestId: 'r' } });
    expect(event.type).toBe('ApprovalExecuted');
    expect(ApprovalLifecycleEventSchema.safeParse({ type: 'ApprovalExecuted', data: { approvalId: 'a', at: 't' } }).success).toBe(false);
  });
});
