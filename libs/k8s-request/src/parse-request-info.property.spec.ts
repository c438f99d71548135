import fc from 'fast-check';
import { RequestInfoSchema } from '@chaperone/contracts';
import { parseRequestInfo } from './index';

const METHOD_VERB: Record<string, string> = { GET: 'get', HEAD: 'get', POST: 'create', PUT: 'update', PATCH: 'patch', DELETE: 'delete' };

/** Names built from characters that need no escaping; never "." or "..", never a special word. */
const RESERVED = new Set(['.', '..', 'namespaces', 'watch', 'proxy', 'status', 'finalize', 'api', 'apis']);
const word = fc
  .stringMatching(/^[a-z0-9][a-z0-9.\-_~]{0,15}$/)
  .filter((s) => !RESERVED.has(s));

const resourcePath = fc.record({
  group: fc.option(word, { nil: undefined }),
  version: word,
  namespace: fc.option(word, { nil: undefined }),
  resource: word,
  name: fc.option(word, { nil: undefined }),
  subresource: fc.option(word, { nil: undefined }),
  method: fc.constantFrom(...Object.keys(METHOD_VERB)),
  trailingSlash: fc.boolean(),
});
type Gen = typeof resourcePath extends fc.Arbitrary<infer T> ? T : never;

function build(g: Gen): string {
  const segs = [g.group === undefined ? 'api' : 'apis'];
  if (g.group !== undefined) segs.push(g.group);
  segs.push(g.version);
  if (g.namespace !== undefined) segs.push('namespaces', g.namespace);
  segs.push(g.resource);
  if (g.name !== undefined) {
    segs.push(g.name);
    if (g.subresource !== undefined) segs.push(g.subresource);
  }
  return '/' + segs.join('/') + (g.trailingSlash ? '/' : '');
}

function expectedVerb(g: Gen): string {
  const v = METHOD_VERB[g.method] ?? '';
  if (g.name !== undefined) return v;
  if (v === 'get') return 'list';
  if (v === 'delete') return 'deletecollection';
  return v;
}

describe('property: parseRequestInfo', () => {
  it('valid resource paths round-trip to the same attributes', () => {
    fc.assert(
      fc.property(resourcePath, (g) => {
        const r = parseRequestInfo(g.method, build(g));
        expect(r.ok).toBe(true);
        if (!r.ok) return;
        expect(r.info).toMatchObject({
          isResourceRequest: true,
          path: build(g),
          verb: expectedVerb(g),
          apiPrefix: g.group === undefined ? 'api' : 'apis',
          apiGroup: g.group ?? '',
          apiVersion: g.version,
          namespace: g.namespace ?? '',
          resource: g.resource,
          name: g.name ?? '',
          subresource: g.name === undefined ? '' : (g.subresource ?? ''),
        });
      }),
    );
  });

  it('arbitrary input never throws and always yields a valid RequestInfo or a reason', () => {
    const target = fc.oneof(
      fc.string({ unit: 'binary' }),
      fc.string({ unit: 'binary' }).map((s) => '/' + s),
      fc.array(fc.constantFrom('api', 'apis', 'v1', 'namespaces', 'watch', 'proxy', 'pods', '%2F', '%', '..', '.', '', '?', '=', '&', ';', 'watch=', 'fieldSelector=metadata.name%3D', 'labelSelector=', '%C5%BF', 'x'), { maxLength: 12 }).map((parts) => '/' + parts.join('/')),
    );
    const method = fc.oneof(fc.constantFrom('GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS', 'get'), fc.string());
    fc.assert(
      fc.property(method, target, fc.boolean(), (m, url, upgrade) => {
        const r = parseRequestInfo(m, url, { upgrade });
        if (r.ok) expect(RequestInfoSchema.safeParse(r.info).success).toBe(true);
        else expect(r.reason.length).toBeGreaterThan(0);
      }),
      { numRuns: 2000 },
    );
  });

  it('any path containing a ".." segment, %2f or a NUL is refused', () => {
    const bad = fc.constantFrom('..', '%2e%2e', '.%2E', '%2f', '%2F', 'a%2fb', '%00', 'a%00', '\u0000', '.', '%5c');
    fc.assert(
      fc.property(resourcePath, bad, fc.nat(), (g, b, at) => {
        const segs = build(g).split('/');
        const i = 1 + (at % (segs.length - 1));
        segs.splice(i, 0, b);
        expect(parseRequestInfo(g.method, segs.join('/')).ok).toBe(false);
      }),
    );
  });

  it('reasons never contain the query string', () => {
    const query = fc.string({ unit: 'binary', minLength: 1 }).map((s) => 'zq' + s);
    const path = fc.oneof(resourcePath.map(build), fc.constantFrom('/api/v1//pods', '/a/../b', '/%zz', 'rel', '/healthz'));
    fc.assert(
      fc.property(path, query, (p, q) => {
        const r = parseRequestInfo('GET', `${p}?${q}`);
        if (!r.ok) {
          expect(r.reason).not.toContain(q);
          expect(r.reason).not.toContain('zq');
        }
      }),
    );
  });

  it('percent-encoding an ordinary character in a segment changes nothing', () => {
    fc.assert(
      fc.property(resourcePath, fc.nat(), fc.boolean(), (g, at, lower) => {
        const plain = build(g);
        // Any character other than the separators is ordinary in our generated paths.
        const positions = [...plain].map((c, i) => (c === '/' ? -1 : i)).filter((i) => i >= 0);
        const i = positions[at % positions.length] ?? 1;
        const hex = plain.charCodeAt(i).toString(16).padStart(2, '0');
        const encoded = plain.slice(0, i) + '%' + (lower ? hex.toLowerCase() : hex.toUpperCase()) + plain.slice(i + 1);
        expect(parseRequestInfo(g.method, encoded)).toEqual(parseRequestInfo(g.method, plain));
      }),
    );
  });

  it('a list pinned by fieldSelector=metadata.name gets that name, with watch from the query', () => {
    fc.assert(
      fc.property(resourcePath, word, fc.boolean(), (g, name, watch) => {
        const list = { ...g, name: undefined, method: 'GET' };
        const r = parseRequestInfo('GET', `${build(list)}?watch=${watch}&fieldSelector=metadata.name%3D${name}`);
        expect(r.ok && r.info.isResourceRequest && r.info.verb === (watch ? 'watch' : 'list') && r.info.name === name).toBe(true);
      }),
    );
  });
});
