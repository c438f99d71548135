import { perRequestTable } from './per-request-table';

describe('a per-request table', () => {
  it('given ids that name Object.prototype members, then only what was put there is in it', () => {
    const table = perRequestTable<number>();
    expect('constructor' in table).toBe(false);
    expect(table['toString']).toBeUndefined();
    table['__proto__'] = 1;
    table['hasOwnProperty'] = 2;
    expect(Object.keys(table)).toEqual(['__proto__', 'hasOwnProperty']);
    expect(Object.getPrototypeOf(table)).toBeNull();
    delete table['__proto__'];
    expect('__proto__' in table).toBe(false);
    expect(Object.values(table)).toEqual([2]);
  });
});
