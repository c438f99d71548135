import { RequestContext } from './context';
import { Rendering } from './http';
import { ResourceDef, apiVersionOf } from './resources';
import { withTypeMeta, includeObjectParam } from './render';
import { EventType, StoreEvent } from './store';
import { gone, badRequest } from './status';
import { toTable } from './table';
import { KubeObject } from './types';

/**
 * Watch: a chunked stream of newline-delimited {"type","object"} events, each written (and so flushed)
 * on its own. Without resourceVersion (or with "0") it starts with ADDED for every existing object;
 * with a resourceVersion it replays the history after it. With as=Table the objects are one-row
 * Tables, column definitions on the first event only, as the real server encodes them.
 */
const DEFAULT_TIMEOUT_SECONDS = 1800;

export function serveWatch(ctx: RequestContext, r: ResourceDef, namespace: string | undefined, filter: (o: KubeObject) => boolean, rendering: Rendering): void {
  const { url, res, req, store } = ctx;
  const rvParam = url.searchParams.get('resourceVersion') ?? '';
  const sendInitial = url.searchParams.get('sendInitialEvents') === 'true';
  const bookmarks = url.searchParams.get('allowWatchBookmarks') === 'true';
  const timeoutParam = url.searchParams.get('timeoutSeconds');
  const timeoutSeconds = timeoutParam ? Number(timeoutParam) : DEFAULT_TIMEOUT_SECONDS;
  if (!Number.isFinite(timeoutSeconds) || timeoutSeconds < 0) throw badRequest(`invalid timeoutSeconds: ${timeoutParam ?? ''}`);
  if (rvParam !== '' && !/^\d+$/.test(rvParam)) throw badRequest(`invalid resource version: ${rvParam}`);
  const fromRv = Number(rvParam || '0');
  if (fromRv > Number(store.resourceVersion) + 1_000_000) throw gone(`too large resource version: ${fromRv}, current: ${store.resourceVersion}`);
  const includeObject = rendering.as === 'Table' ? includeObjectParam(url) : 'Object';

  const inScope = (o: KubeObject) => !r.namespaced || namespace === undefined || o.metadata.namespace === namespace;
  const matches = (o: KubeObject | undefined) => o !== undefined && inScope(o) && filter(o);

  let headersSent = false;
  const encode = (type: EventType | 'BOOKMARK', obj: KubeObject): string => {
    let object: unknown = withTypeMeta(r, obj);
    if (rendering.as === 'Table' && type !== 'BOOKMARK') {
      object = toTable(r, [withTypeMeta(r, obj)], obj.metadata.resourceVersion, { includeObject, noHeaders: headersSent, metaVersion: rendering.version });
      headersSent = true;
    }
    return JSON.stringify({ type, object }) + '\n';
  };

  res.writeHead(200, { 'Content-Type': 'application/json', 'Cache-Control': 'no-cache, private', 'Transfer-Encoding': 'chunked' });
  res.flushHeaders();
  req.socket.setNoDelay(true);

  const pending: string[] = [];
  const write = (line: string) => {
    if (!res.writableEnded) res.write(line);
  };

  let stopped = false;
  const stop = () => {
    if (stopped) return;
    stopped = true;
    unsubscribe();
    clearTimeout(timer);
    clearInterval(bookmarkTimer);
    ctx.streams.delete(stop);
    if (!res.writableEnded) res.end();
  };

  const onEvent = (e: StoreEvent) => {
    const now = matches(e.object) && e.type !== 'DELETED';
    const before = e.type === 'ADDED' ? false : matches(e.prev ?? e.object);
    let type: EventType | undefined;
    if (e.type === 'DELETED') type = before ? 'DELETED' : undefined;
    else if (now && before) type = 'MODIFIED';
    else if (now) type = 'ADDED';
    else if (before) type = 'DELETED'; // it left the selector
    if (type) write(encode(type, e.object));
  };
  const unsubscribe = store.subscribe((e) => {
    if (e.resource === r) onEvent(e);
  });

  if (rvParam === '' || rvParam === '0' || sendInitial) {
    for (const o of store.list(r, namespace)) if (filter(o)) pending.push(encode('ADDED', o));
    if (sendInitial && bookmarks) {
      pending.push(JSON.stringify({ type: 'BOOKMARK', object: { kind: r.kind, apiVersion: apiVersionOf(r), metadata: { resourceVersion: store.resourceVersion, annotations: { 'k8s.io/initial-events-end': 'true' } } } }) + '\n');
    }
    for (const line of pending) write(line);
  } else {
    for (const e of store.eventsSince(r, fromRv)) onEvent(e);
  }

  const timer = setTimeout(stop, timeoutSeconds * 1000);
  const bookmarkTimer = setInterval(() => {
    if (bookmarks) write(JSON.stringify({ type: 'BOOKMARK', object: { kind: r.kind, apiVersion: apiVersionOf(r), metadata: { resourceVersion: store.resourceVersion } } }) + '\n');
  }, 60_000);
  ctx.streams.add(stop);
  res.on('close', stop);
  req.on('close', stop);
}
