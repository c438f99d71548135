/**
 * Which console API paths reach which API, and nothing else: the console passes calls through, it
 * does not become a way to reach arbitrary URLs. The path after /api/ is kept as it is.
 */
export type Upstream = 'approval' | 'reports';

export interface Route {
  upstream: Upstream;
  /** The path on the upstream API (with its query string). */
  path: string;
  methods: readonly string[];
}

const ROUTES: ReadonlyArray<{ prefix: RegExp; upstream: Upstream; methods: readonly string[] }> = [
  { prefix: /^\/approvals(\/[A-Za-z0-9_-]{1,128}(\/(approve|deny))?)?$/, upstream: 'approval', methods: ['GET', 'POST'] },
  { prefix: /^\/sessions(\/[^/]{1,256}(\/replay|\/requests\/[^/]{1,256}\/(body\/(request|response)|recording))?)?$/, upstream: 'reports', methods: ['GET'] },
  { prefix: /^\/agents$/, upstream: 'reports', methods: ['GET'] },
  { prefix: /^\/reports\/soc2$/, upstream: 'reports', methods: ['GET'] },
  { prefix: /^\/verify$/, upstream: 'reports', methods: ['GET'] },
];

/** The route for `/api<apiPath>?<query>`, or undefined when the console does not pass it on. */
export function routeOf(method: string, apiPath: string, query: string): Route | undefined {
  if (apiPath.includes('..') || apiPath.includes('//')) return undefined;
  const r = ROUTES.find((x) => x.prefix.test(apiPath));
  if (!r || !r.methods.includes(method)) return undefined;
  return { upstream: r.upstream, path: `${apiPath}${query ? `?${query}` : ''}`, methods: r.methods };
}
