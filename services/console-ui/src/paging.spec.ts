import { appendPage } from './paging';

describe('a list read a page at a time', () => {
  const id = (x: { id: string }): string => x.id;

  it('given the first page shown, when the next page comes, then its rows follow and its total and cursor replace the old ones', () => {
    const shown = { items: [{ id: 'a' }, { id: 'b' }], total: 5, next: 'c1' };
    expect(appendPage(shown, { items: [{ id: 'c' }, { id: 'd' }], total: 6, next: 'c2' }, id)).toEqual({ items: [{ id: 'a' }, { id: 'b' }, { id: 'c' }, { id: 'd' }], total: 6, next: 'c2' });
  });

  it('given a row that moved while paging, when it comes again on the next page, then it is shown once, where it was first', () => {
    const shown = { items: [{ id: 'a' }, { id: 'b' }], total: 3, next: 'c1' };
    const next = appendPage(shown, { items: [{ id: 'b' }, { id: 'c' }], total: 3 }, id);
    expect(next.items.map(id)).toEqual(['a', 'b', 'c']);
    expect(next.next).toBeUndefined();
  });
});
