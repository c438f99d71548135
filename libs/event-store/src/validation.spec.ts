import { InvalidArgument } from './port';
import { classifyStored, classifyStoredSettled, revisionMatches, validateEvents, validateStreamName } from './validation';

describe('validateStreamName', () => {
  it.each(['a', 'session.1', 'A-b_c:d.e', 'x'.repeat(200)])('accepts %s', (s) => {
    expect(() => validateStreamName(s)).not.toThrow();
  });
  it.each(['', ' ', 'a b', 'a.*', 'a.>', '$all', '.a', 'a.', 'a..b', 'é', 'a/b', 'x'.repeat(201)])('rejects %j', (s) => {
    expect(() => validateStreamName(s)).toThrow(InvalidArgument);
  });
});

describe('validateEvents', () => {
  it('rejects missing ids, types and ids repeated in a batch', () => {
    expect(() => validateEvents([{ eventId: '', type: 't', data: 1 }])).toThrow(InvalidArgument);
    expect(() => validateEvents([{ eventId: 'a\r\nb', type: 't', data: 1 }])).toThrow(InvalidArgument);
    expect(() => validateEvents([{ eventId: 'a', type: '', data: 1 }])).toThrow(InvalidArgument);
    expect(() => validateEvents([{ eventId: 'a', type: 't', data: 1 }, { eventId: 'a', type: 't', data: 2 }])).toThrow(/twice/);
  });
});

describe('revisionMatches', () => {
  it('implements any / no_stream / number', () => {
    expect(revisionMatches('any', -1)).toBe(true);
    expect(revisionMatches('any', 7)).toBe(true);
    expect(revisionMatches('no_stream', -1)).toBe(true);
    expect(revisionMatches('no_stream', 0)).toBe(false);
    expect(revisionMatches(3, 3)).toBe(true);
    expect(revisionMatches(3, 4)).toBe(false);
  });
});

describe('classifyStored', () => {
  const at = (revision: number) => ({ revision, globalPosition: 100 + revision });
  it('is all when the batch is stored at consecutive revisions in order', () => {
    expect(classifyStored(['a', 'b'], new Map([['a', at(4)], ['b', at(5)]]))).toEqual({ kind: 'all', lastRevision: 5, lastPosition: 105 });
  });
  it('is none when nothing is stored', () => {
    expect(classifyStored(['a'], new Map())).toEqual({ kind: 'none' });
  });
  it('is partial for a subset, another order or gaps', () => {
    expect(classifyStored(['a', 'b'], new Map([['a', at(0)]]))).toMatchObject({ kind: 'partial', found: ['a'] });
    expect(classifyStored(['a', 'b'], new Map([['a', at(1)], ['b', at(0)]]))).toMatchObject({ kind: 'partial' });
    expect(classifyStored(['a', 'b'], new Map([['a', at(0)], ['b', at(2)]]))).toMatchObject({ kind: 'partial' });
  });
  it('calls a partial batch a prefix only when exactly its first ids are stored, in order', () => {
    expect(classifyStored(['a', 'b', 'c'], new Map([['a', at(3)], ['b', at(4)]]))).toEqual({ kind: 'partial', found: ['a', 'b'], prefix: true });
    expect(classifyStored(['a', 'b', 'c'], new Map([['b', at(3)]]))).toMatchObject({ prefix: false });
    expect(classifyStored(['a', 'b', 'c'], new Map([['a', at(3)], ['c', at(4)]]))).toMatchObject({ prefix: false });
    expect(classifyStored(['a', 'b', 'c'], new Map([['a', at(3)], ['b', at(5)]]))).toMatchObject({ prefix: false });
  });
});

describe('classifyStoredSettled', () => {
  const at = (revision: number) => ({ revision, globalPosition: 100 + revision });
  it('looks again while a prefix is stored, and answers all once the racing append completes', async () => {
    const views = [new Map([['a', at(0)]]), new Map([['a', at(0)]]), new Map([['a', at(0)], ['b', at(1)]])];
    let looks = 0;
    const c = await classifyStoredSettled(async () => classifyStored(['a', 'b'], views[Math.min(looks++, 2)] ?? new Map()));
    expect(c).toEqual({ kind: 'all', lastRevision: 1, lastPosition: 101 });
    expect(looks).toBe(3);
  });
  it('answers partial at once when the stored ids are not a prefix', async () => {
    let looks = 0;
    const c = await classifyStoredSettled(async () => (looks++, classifyStored(['a', 'b'], new Map([['b', at(0)]]))));
    expect(c).toMatchObject({ kind: 'partial', prefix: false });
    expect(looks).toBe(1);
  });
  it('gives up on a prefix that never completes (a batch cut short) with partial', async () => {
    let looks = 0;
    const c = await classifyStoredSettled(async () => (looks++, classifyStored(['a', 'b'], new Map([['a', at(0)]]))));
    expect(c).toMatchObject({ kind: 'partial', prefix: true });
    expect(looks).toBeGreaterThan(5);
  });
});
