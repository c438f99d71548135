import { useCallback, useEffect, useRef, useState } from 'preact/hooks';

/** One page from a paged API: the items, how many match in all, and the cursor of the next page. */
export interface Page<T> {
  items: T[];
  total: number;
  next?: string | undefined;
}

/** Rows asked for at first and at each "show more": a screenful or two, so the first paint waits for little. */
export const PAGE_SIZE = 50;
/** The most rows a refresh asks for again (the APIs' largest page). */
const MOST_ROWS = 1000;

/** A page appended to what is shown: an item already there (it moved while paging) is not shown twice. */
export function appendPage<T>(shown: Page<T>, page: Page<T>, key: (item: T) => string): Page<T> {
  const seen = new Set(shown.items.map(key));
  return { items: [...shown.items, ...page.items.filter((i) => !seen.has(key(i)))], total: page.total, next: page.next };
}

/**
 * A list read a page at a time. `load(limit, cursor)` asks the API for one page; the list loads the
 * first page whenever `deps` change, `more()` appends the next one, and `refresh()` reads again as
 * many rows as are shown (a live change), so the rows a reader has scrolled to stay.
 */
export function usePages<T>(load: (limit: number, cursor?: string) => Promise<Page<T>>, key: (item: T) => string, deps: unknown[]) {
  const [page, setPage] = useState<Page<T> | undefined>();
  const [error, setError] = useState<string | undefined>();
  const [loading, setLoading] = useState(false);
  const shownRows = useRef(PAGE_SIZE);
  const generation = useRef(0);

  const read = useCallback(
    async (limit: number, cursor?: string) => {
      const mine = ++generation.current;
      setLoading(true);
      try {
        const next = await load(limit, cursor);
        if (mine !== generation.current) return;
        setPage((shown) => (cursor && shown ? appendPage(shown, next, key) : next));
        setError(undefined);
      } catch (e) {
        if (mine === generation.current) setError((e as Error).message);
      } finally {
        if (mine === generation.current) setLoading(false);
      }
    },
    // The caller's deps say when `load` reads something else (a tab, a filter).
    deps,
  );

  useEffect(() => {
    shownRows.current = PAGE_SIZE;
    setPage(undefined);
    void read(PAGE_SIZE);
  }, [read]);

  useEffect(() => {
    if (page) shownRows.current = Math.max(PAGE_SIZE, page.items.length);
  }, [page]);

  return {
    page,
    error,
    loading,
    more: () => (page?.next ? read(PAGE_SIZE, page.next) : Promise.resolve()),
    refresh: () => read(Math.min(MOST_ROWS, shownRows.current)),
  };
}
