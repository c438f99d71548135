import { classifyAnswer } from './ingress-answer';

const status = (code: number, reason: string, message: string, details?: object) =>
  JSON.stringify({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason, code, ...(details ? { details } : {}) });

describe('sorting what the ingress answers', () => {
  it('a 2xx is a success with its body', () => {
    expect(classifyAnswer({ status: 200, headers: { 'content-type': 'application/json' }, body: '{"kind":"Pod"}' })).toEqual({
      kind: 'ok',
      status: 200,
      contentType: 'application/json',
      body: '{"kind":"Pod"}',
    });
  });

  it('a 403 with the approval headers is a ticket: id, link, Retry-After and the message', () => {
    const answer = classifyAnswer({
      status: 403,
      headers: { 'x-chaperone-approval-id': 'a1b2', 'x-chaperone-approval-url': 'http://127.0.0.1:9403/approvals/a1b2', 'retry-after': '5' },
      body: status(403, 'Forbidden', 'chaperone policy requires human approval…', { name: 'a1b2', kind: 'Approval', group: 'chaperone.dev' }),
    });
    expect(answer).toEqual({
      kind: 'pending',
      ticket: { approvalId: 'a1b2', url: 'http://127.0.0.1:9403/approvals/a1b2', retryAfterSeconds: 5, message: 'chaperone policy requires human approval…' },
    });
  });

  it('a policy denial is a failure with the Status reason and message', () => {
    const answer = classifyAnswer({ status: 403, headers: {}, body: status(403, 'Forbidden', 'chaperone policy denied this request (rule "no-kube-system", policy sha256:…): not here') });
    expect(answer).toEqual({ kind: 'failure', failure: { code: 403, reason: 'Forbidden', message: expect.stringContaining('rule "no-kube-system"') } });
  });

  it('the refusal of the ticket mode header says the rule holds instead', () => {
    const body = status(400, 'BadRequest', 'chaperone refused a malformed request: the policy rule does not let the agent choose the approval mode (it uses hold); remove the X-Chaperone-Approval-Mode header');
    expect(classifyAnswer({ status: 400, headers: {}, body }).kind).toBe('hold-only');
    expect(classifyAnswer({ status: 400, headers: {}, body: status(400, 'BadRequest', 'bad selector') }).kind).toBe('failure');
  });

  it('a body that is not a Status still becomes one, capped, with the reason of its code', () => {
    const answer = classifyAnswer({ status: 502, headers: {}, body: `<html>${'x'.repeat(1000)}</html>` });
    expect(answer).toMatchObject({ kind: 'failure', failure: { code: 502, reason: 'Unknown' } });
    expect(answer.kind === 'failure' && answer.failure.message.length).toBeLessThanOrEqual(300);
    expect(classifyAnswer({ status: 404, headers: {}, body: '' })).toMatchObject({ failure: { reason: 'NotFound', message: 'the ingress answered HTTP 404' } });
  });
});
