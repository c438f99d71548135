import { RequestContext } from '../context';
import { qualifiedName } from '../resources';
import { ResourcePath } from '../router';
import { badRequest, notFound } from '../status';
import { KubeObject, isPlainObject } from '../types';

/**
 * pods/log. The log text is fake but deterministic, and deliberately contains secrets
 * (a GitHub-style token, a password) so masking in front of this server can be tested.
 * follow=true keeps the response open and writes a line every `followIntervalMs` until the client goes.
 */
export const FAKE_TOKEN = 'ghp_FAKEabcdefghijklmnopqrstuvwxyz0123456';

function containerNames(pod: KubeObject): string[] {
  const spec = isPlainObject(pod['spec']) ? pod['spec'] : {};
  const cs = Array.isArray(spec['containers']) ? spec['containers'] : [];
  return cs.filter(isPlainObject).map((c) => String(c['name']));
}

function baseLines(pod: string, container: string): string[] {
  return [
    `starting ${container} in pod ${pod}`,
    `loaded configuration from /etc/${container}/config.yaml`,
    `connecting to upstream with token=${FAKE_TOKEN}`,
    'database password=hunter2-not-a-real-password',
    'listening on :8080',
  ];
}

/** The line a followed log (and an attached main process) writes at its n-th tick. */
export function followLine(n: number, container: string): string {
  return n % 5 === 0 ? `refreshed credentials token=${FAKE_TOKEN}` : `heartbeat ${n} from ${container}`;
}

function stamp(line: string, timestamps: boolean, at: Date): string {
  return timestamps ? `${at.toISOString().replace('Z', '000000Z').replace(/\.(\d{3})000000Z$/, '.$1000000Z')} ${line}` : line;
}

export function handleLogs(ctx: RequestContext, p: ResourcePath, followIntervalMs: number): void {
  const r = p.resource;
  const name = p.name ?? '';
  const pod = ctx.store.get(r, p.namespace, name);
  if (!pod) throw notFound(qualifiedName(r), name, r.group, r.resource);
  const q = ctx.url.searchParams;
  const names = containerNames(pod);
  let container = q.get('container') ?? '';
  if (!container) {
    if (names.length !== 1) throw badRequest(`a container name must be specified for pod ${name}, choose one of: [${names.join(' ')}]`);
    container = names[0] ?? '';
  } else if (!names.includes(container)) {
    throw badRequest(`container ${container} is not valid for pod ${name}`);
  }
  const timestamps = q.get('timestamps') === 'true';
  let lines = baseLines(name, container);
  const tail = q.get('tailLines');
  if (tail !== null && Number(tail) >= 0) lines = Number(tail) === 0 ? [] : lines.slice(-Number(tail));
  const created = new Date(pod.metadata.creationTimestamp ?? Date.now());
  let text = lines.map((l, i) => stamp(l, timestamps, new Date(created.getTime() + i * 1000)) + '\n').join('');
  const limitBytes = Number(q.get('limitBytes') ?? '0');
  if (limitBytes > 0) text = Buffer.from(text).subarray(0, limitBytes).toString('utf8');

  const { res, req } = ctx;
  const follow = q.get('follow') === 'true' || q.get('follow') === '1';
  if (!follow) {
    res.writeHead(200, { 'Content-Type': 'text/plain', 'Content-Length': Buffer.byteLength(text), 'Cache-Control': 'no-cache, private' });
    res.end(text);
    return;
  }
  res.writeHead(200, { 'Content-Type': 'text/plain', 'Cache-Control': 'no-cache, private', 'Transfer-Encoding': 'chunked' });
  req.socket.setNoDelay(true);
  res.write(text);
  let n = 0;
  const timer = setInterval(() => {
    n += 1;
    const line = followLine(n, container);
    res.write(stamp(line, timestamps, new Date()) + '\n');
  }, followIntervalMs);
  const stop = () => {
    clearInterval(timer);
    ctx.streams.delete(stop);
    if (!res.writableEnded) res.end();
  };
  ctx.streams.add(stop);
  res.on('close', stop);
  req.on('close', stop);
}
