import { answerCarriedBy, answerToken, MAX_ANSWER_IN_SUBJECT } from './answer-in-subject';
import { RpcFailed } from './rpc-errors';

describe('an answer carried in a subject', () => {
  it('given an answer, then it travels as one subject token, without dots, wildcards or spaces, and comes back whole', () => {
    const answer = { decision: { effect: 'allow', reason: 'a.b * > c — “quoted” ✓' }, n: 1 };
    const token = answerToken(answer) as string;
    expect(token).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(answerCarriedBy(token)).toEqual(answer);
  });

  it('given an answer too long for a protocol line, then there is no token (the answer goes the usual way)', () => {
    expect(answerToken({ reason: 'x'.repeat(MAX_ANSWER_IN_SUBJECT) })).toBeUndefined();
    expect(answerToken({ reason: 'x'.repeat(1000) })).toBeDefined();
  });

  it('given a token that is not an answer, or an error answer, then RpcFailed', () => {
    expect(() => answerCarriedBy('')).toThrow(RpcFailed);
    expect(() => answerCarriedBy('a*b')).toThrow(RpcFailed);
    expect(() => answerCarriedBy(Buffer.from('{not json').toString('base64url'))).toThrow(RpcFailed);
    expect(() => answerCarriedBy(Buffer.from(JSON.stringify({ error: { message: 'refused' } })).toString('base64url'))).toThrow('refused');
  });
});
