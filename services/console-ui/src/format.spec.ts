import { ago, label, target } from './format';

describe('format', () => {
  it('turns field names into column labels', () => {
    expect(label('secondsToDecision')).toBe('Seconds to decision');
    expect(label('agent')).toBe('Agent');
  });
  it('says what a request does as people say it', () => {
    expect(target({ verb: 'delete', resource: 'pods', name: 'web-1', namespace: 'default' })).toBe('delete pod web-1 in default');
    expect(target({ verb: 'list', resource: 'nodes', name: '', namespace: '' })).toBe('list node');
  });
  it('says how long ago', () => {
    expect(ago('2026-01-01T00:00:00Z', Date.parse('2026-01-01T00:02:05Z'))).toBe('2m ago');
  });
});
