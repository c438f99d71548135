import { DEFAULT_RECORDING } from '@chaperone/contracts';
import { evaluate } from './evaluate';
import { identity, policyOf, resourceRequest, rule } from './test-support';

describe('recording terms in the decision', () => {
  const who = identity();
  const get = resourceRequest('get', 'pods');

  it('given a metadata-only rule, the decision carries no storage terms', () => {
    const d = evaluate(policyOf([rule('read', { record: 'metadata' })]), who, get);
    expect(d.record).toBe('metadata');
    expect(d.recording).toBeUndefined();
  });

  it('given a storing rule without a recording block, the defaults apply', () => {
    const d = evaluate(policyOf([rule('read', { record: 'request-and-response' })]), who, get);
    expect(d.recording).toEqual(DEFAULT_RECORDING);
  });

  it('given several matching rules, the most keeping terms win: largest cap, longest retention, refuse over defer', () => {
    const d = evaluate(
      policyOf([
        rule('a', { record: 'request', recording: { maxBodyBytes: 1000, retentionDays: 400 } }),
        rule('b', { record: 'request-and-response', recording: { maxBodyBytes: 5000, retentionDays: 7, onStoreFailure: 'refuse' } }),
      ]),
      who,
      get,
    );
    expect(d.record).toBe('request-and-response');
    expect(d.recording).toEqual({ maxBodyBytes: 5000, retentionDays: 400, onStoreFailure: 'refuse' });
  });
});
