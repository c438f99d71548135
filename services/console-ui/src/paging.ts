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
 * many rows as are shown (a live change), so the rows a reader has reached stay. Reads run one after
 * another: a live change during "show more" neither loses the added rows nor is lost itself.
 */
export function usePages<T>(load: (limit: number, cursor?: string) => Promise<Page<T>>, key: (item: T) => string, deps: unknown[]) {
  const [page, setPage] = useState<Page<T> | undefined>();
  const [error, setError] = useState<string | undefined>();
  const [loading, setLoading] = useState(false);
  const latest = useRef<Page<T> | undefined>();
  const queue = useRef<Promise<void>>(Promise.resolve());
  /** Bumped when `deps` change: reads queued for the list before are dropped. */
  const epoch = useRef(0);

  const enqueue = useCallback(
    (how: 'first' | 'more' | 'again'): Promise<void> => {
      const mine = epoch.current;
      const run = async (): Promise<void> => {
        if (mine !== epoch.current) return;
        const shown = latest.current;
        if (how === 'more' && !shown?.next) return;
        setLoading(true);
        try {
          const got =
            how === 'more' && shown
              ? appendPage(shown, await load(PAGE_SIZE, shown.next), key)
              : await load(how === 'again' ? Math.min(MOST_ROWS, Math.max(PAGE_SIZE, shown?.items.length ?? 0)) : PAGE_SIZE);
          if (mine !== epoch.current) return;
          latest.current = got;
          setPage(got);
          setError(undefined);
        } catch (e) {
          if (mine === epoch.current) setError((e as Error).message);
        } finally {
          if (mine === epoch.current) setLoading(false);
        }
      };
      queue.current = queue.current.then(run);
      return queue.current;
    },
    // The caller's deps say when `load` reads something else (a tab, a filter).
    deps,
  );

  useEffect(() => {
    epoch.current++;
    latest.current = undefined;
    setPage(undefined);
    void enqueue('first');
  }, [enqueue]);

  return { page, error, loading, more: () => enqueue('more'), refresh: () => enqueue('again') };
}
